// Gatehouse hosted UI: progressive enhancement only. Every page works
// without this script; with it, password fields get a show/hide button,
// password rules tick as the user types, a resend button counts down its
// cooldown, and a form cannot be submitted twice.
(function () {
  "use strict";

  // Show/hide buttons for password inputs marked data-reveal; the labels
  // come from the page (data-show, data-hide) so they are translated.
  document.querySelectorAll("input[data-reveal]").forEach(function (input) {
    var focused = document.activeElement === input;
    var wrap = document.createElement("div");
    wrap.className = "gh-reveal-wrap";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    if (focused) { input.focus(); } // moving the input blurred it
    var button = document.createElement("button");
    button.type = "button";
    button.className = "gh-reveal";
    button.setAttribute("aria-controls", input.id);
    button.setAttribute("aria-pressed", "false");
    button.textContent = input.dataset.show || "Show";
    button.addEventListener("click", function () {
      var shown = input.type === "text";
      input.type = shown ? "password" : "text";
      button.textContent = shown ? (input.dataset.show || "Show") : (input.dataset.hide || "Hide");
      button.setAttribute("aria-pressed", shown ? "false" : "true");
      input.focus();
    });
    wrap.appendChild(button);
  });

  // Password rules: a list (data-rules-for=INPUT-ID) of li[data-rule]; the
  // server checks the same rules and is the one that decides.
  var symbols = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";
  var checks = {
    length: function (v, li) { return Array.from(v).length >= Number(li.dataset.min || 0); },
    lower: function (v) { return /\p{Ll}/u.test(v); },
    upper: function (v) { return /\p{Lu}/u.test(v); },
    number: function (v) { return /[0-9]/.test(v); },
    symbol: function (v) { return Array.from(v).some(function (c) { return symbols.indexOf(c) >= 0; }); }
  };
  document.querySelectorAll("[data-rules-for]").forEach(function (list) {
    var input = document.getElementById(list.dataset.rulesFor);
    if (!input) { return; }
    var update = function () {
      list.querySelectorAll("li[data-rule]").forEach(function (li) {
        var check = checks[li.dataset.rule];
        if (!check) { return; }
        var ok = input.value !== "" && check(input.value, li);
        li.classList.toggle("gh-ok", ok);
        if (ok) { li.classList.remove("gh-fail"); }
      });
    };
    input.addEventListener("input", update);
    update();
  });

  // Resend buttons wait out their cooldown (data-cooldown seconds).
  document.querySelectorAll("button[data-cooldown]").forEach(function (button) {
    var left = Number(button.dataset.cooldown);
    if (!(left > 0)) { return; }
    var label = button.textContent;
    button.disabled = true;
    var tick = function () {
      if (left <= 0) {
        button.disabled = false;
        button.textContent = label;
        return;
      }
      button.textContent = label + " (" + left + ")";
      left -= 1;
      window.setTimeout(tick, 1000);
    };
    tick();
  });

  // One submission per form (reset when the page comes back from the
  // back-forward cache).
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll("form[data-submitted]").forEach(function (form) {
      delete form.dataset.submitted;
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
    });
  });
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.submitted) { event.preventDefault(); return; }
      form.dataset.submitted = "1";
      var button = event.submitter || form.querySelector("button[type=submit]");
      if (button) { window.setTimeout(function () { button.disabled = true; }, 0); }
    });
  });
})();
