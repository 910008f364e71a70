// The SIS error codes and Ds_Response values the emulator answers with (texts as Redsys
// documents them; redsys-easy's own table is the cross-check in the tests), and where the
// emulator lives.

/** Path prefix of the Redsys emulator: REDSYS_BASE_URL = <sandbox>/redsys. */
export const REDSYS_PREFIX = "/redsys";

export const SIS = {
  SIS0008: "Falta Ds_Merchant_MerchantCode",
  SIS0010: "Falta Ds_Merchant_Terminal",
  SIS0015: "Falta Ds_Merchant_Currency",
  SIS0018: "Falta Ds_Merchant_Amount",
  SIS0019: "Error de formato en Ds_Merchant_Amount",
  SIS0023: "Ds_Merchant_TransactionType desconocido",
  SIS0026: "No existe el comercio / terminal enviado",
  SIS0027: "Error Moneda enviada por el comercio",
  SIS0042: "Error en el cálculo de la firma",
  SIS0051: "Número de pedido repetido",
  SIS0054: "No existe operación sobre la que realizar la devolución",
  SIS0056: "La operación sobre la que se desea devolver no está autorizada",
  SIS0057: "El importe a devolver supera el permitido",
  SIS0059: "No existe operación sobre la que realizar la confirmación",
  SIS0062: "El importe a confirmar supera el permitido",
  SIS0074: "Falta Ds_Merchant_Order",
  SIS0075: "El Ds_Merchant_Order tiene menos de 4 o más de 12 posiciones",
  SIS0429: "Error en la versión (Ds_SignatureVersion)",
  SIS0431: "Error del objeto JSON que se envía codificado en el parámetro Ds_MerchantParameters",
  SIS0434: "Formato de pedido no válido",
} as const;

export type SisCode = keyof typeof SIS;

/** Ds_Response values. 0000–0099 authorised; 0900 refund/confirmation OK; 0400 cancellation OK. */
export const RESPONSE = {
  authorised: "0000",
  refundOrConfirmationOk: "0900",
  cancellationOk: "0400",
  authenticationFailed: "0184",
  denied: "0190",
  userCancelled: "9915",
} as const;

export const RESPONSE_DESCRIPTION: Record<string, string> = {
  "0000": "OPERACION AUTORIZADA",
  "0900": "TRANSACCION AUTORIZADA PARA DEVOLUCIONES Y CONFIRMACIONES",
  "0400": "TRANSACCION AUTORIZADA PARA ANULACIONES",
  "0184": "ERROR EN LA AUTENTICACION DEL TITULAR",
  "0190": "DENEGACION SIN ESPECIFICAR MOTIVO",
  "9915": "A PETICION DEL USUARIO SE HA CANCELADO EL PAGO",
};
