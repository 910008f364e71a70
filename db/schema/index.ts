export * from "./enums";
export * from "./people";
export * from "./courses";
export * from "./receipts";
export * from "./payments";
export * from "./system";
