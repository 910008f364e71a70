// Stand-in for PayPal's JS SDK (served at /sdk/js): `paypal.Buttons({...}).render(el)` draws a
// button that opens the sandbox approval page in a popup and calls createOrder / onApprove /
// onCancel / onError like the real one. Enough for @paypal/paypal-js and react-paypal-js.

/** The script; `base` is the sandbox origin, the only origin whose messages it trusts. */
export function jsSdkSource(base: string): string {
  return `/* PayPal JS SDK stand-in (sandbox). Not PayPal's code. */
(function () {
  "use strict";
  var BASE = ${JSON.stringify(base)};
  var script = document.currentScript;
  var params = script && script.src ? new URL(script.src).searchParams : new URLSearchParams();
  var namespace = (script && script.getAttribute("data-namespace")) || "paypal";
  if (!params.get("client-id")) {
    throw new Error("SDK Validation error: 'Expected client-id to be passed'");
  }
  function Buttons(options) {
    var opts = options || {};
    var host = null;
    var busy = false;
    var disabled = false;
    var actions = {
      enable: function () { disabled = false; return Promise.resolve(); },
      disable: function () { disabled = true; return Promise.resolve(); }
    };
    if (typeof opts.onInit === "function") opts.onInit({}, actions);
    function fail(err) {
      if (typeof opts.onError === "function") opts.onError(err instanceof Error ? err : new Error(String(err)));
      else console.error(err);
    }
    function start() {
      if (busy || disabled) return;
      busy = true;
      // Open the window inside the click, before any await, or popup blockers stop it.
      var popup = window.open("about:blank", "paypal_sandbox_" + Date.now(), "width=500,height=650");
      var orderID = null;
      var settled = false;
      function finish() { settled = true; busy = false; window.removeEventListener("message", onMessage); clearInterval(watch); }
      function onMessage(event) {
        if (event.origin !== BASE || !event.data || event.data.source !== "paypal-sandbox" || event.data.orderID !== orderID) return;
        finish();
        if (popup && !popup.closed) popup.close();
        var d = event.data;
        if (d.type === "approve") {
          Promise.resolve(opts.onApprove ? opts.onApprove({ orderID: d.orderID, payerID: d.payerID, paymentID: null, paymentSource: "paypal", facilitatorAccessToken: "sandbox" }, { restart: start, redirect: function (u) { window.location.href = u; } }) : undefined).catch(fail);
        } else if (d.type === "cancel") {
          if (opts.onCancel) opts.onCancel({ orderID: d.orderID });
        } else {
          fail(new Error(d.message || "PayPal sandbox error"));
        }
      }
      // A popup closed by the buyer means cancel; wait a moment first, since the approval
      // page's message may still be in flight when the window goes away.
      var closedSince = 0;
      var watch = setInterval(function () {
        if (settled || !popup || !popup.closed) return;
        if (!closedSince) { closedSince = Date.now(); return; }
        if (Date.now() - closedSince < 1000) return;
        finish();
        if (opts.onCancel) opts.onCancel({ orderID: orderID });
      }, 200);
      window.addEventListener("message", onMessage);
      var clickData = { fundingSource: "paypal" };
      Promise.resolve(typeof opts.onClick === "function" ? opts.onClick(clickData, { resolve: function () { return Promise.resolve(true); }, reject: function () { return Promise.resolve(false); } }) : true)
        .then(function (allowed) {
          if (allowed === false) throw { cancelledByClick: true };
          if (typeof opts.createOrder !== "function") throw new Error("createOrder is required by the sandbox SDK");
          return opts.createOrder({ paymentSource: "paypal" }, {});
        })
        .then(function (id) {
          if (typeof id !== "string" || id === "") throw new Error("Expected an order id to be passed");
          orderID = id;
          if (!popup || popup.closed) throw new Error("Popup was blocked or closed");
          popup.location.href = BASE + "/paypal/checkoutnow?popup=1&token=" + encodeURIComponent(id);
        })
        .catch(function (err) {
          finish();
          if (popup && !popup.closed) popup.close();
          if (err && err.cancelledByClick) return;
          fail(err);
        });
    }
    return {
      isEligible: function () { return true; },
      render: function (target) {
        host = typeof target === "string" ? document.querySelector(target) : target;
        if (!host) return Promise.reject(new Error("Document is ready and element " + target + " does not exist"));
        var button = document.createElement("button");
        button.type = "button";
        button.className = "paypal-sandbox-button";
        button.setAttribute("data-funding-source", "paypal");
        button.textContent = "PayPal (sandbox)";
        button.style.cssText = "background:#ffc439;border:0;border-radius:4px;padding:10px 24px;font-weight:bold;cursor:pointer;width:100%";
        button.addEventListener("click", start);
        host.appendChild(button);
        return Promise.resolve();
      },
      close: function () {
        if (host) host.innerHTML = "";
        return Promise.resolve();
      },
      updateProps: function () { return Promise.resolve(); }
    };
  }
  window[namespace] = {
    version: "5.0.0-sandbox",
    Buttons: Buttons,
    FUNDING: { PAYPAL: "paypal", CARD: "card", PAYLATER: "paylater", VENMO: "venmo" },
    getFundingSources: function () { return ["paypal"]; },
    isFundingEligible: function (source) { return source === "paypal"; }
  };
})();
`;
}
