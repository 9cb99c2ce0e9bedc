// referrald staff pages: small progressive enhancements only; every page
// works without this file. Served from /static/ so the Content-Security-
// Policy can forbid inline script.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  // A page picture opens large over the referral instead of leaving it.
  var overlay = null;
  function close() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }
  document.querySelectorAll("a.page[data-large]").forEach(function (link) {
    link.addEventListener("click", function (ev) {
      if (ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
      ev.preventDefault();
      close();
      overlay = document.createElement("div");
      overlay.className = "overlay";
      overlay.id = "overlay";
      var img = document.createElement("img");
      img.className = "large";
      img.alt = link.querySelector("img").alt;
      img.src = link.getAttribute("data-large");
      var open = document.createElement("a");
      open.href = link.getAttribute("href");
      open.textContent = "open this page on its own";
      // a page faxed sideways or upside down: turn it a quarter at a time
      // (classes, not inline style: the Content-Security-Policy)
      var turn = 0;
      var rotate = document.createElement("button");
      rotate.type = "button";
      rotate.id = "rotate";
      rotate.textContent = "rotate";
      rotate.addEventListener("click", function () {
        img.classList.remove("rot" + turn);
        turn = (turn + 90) % 360;
        if (turn) img.classList.add("rot" + turn);
      });
      overlay.appendChild(open);
      overlay.appendChild(rotate);
      overlay.appendChild(img);
      overlay.addEventListener("click", function (e) {
        if (e.target !== open && e.target !== rotate) close();
      });
      document.body.appendChild(overlay);
    });
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") close();
  });
  // A resolve note is required: say so before the round trip.
  document.querySelectorAll("form.resolve").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      var note = form.querySelector("input[name=note]");
      if (!note.value.trim()) {
        ev.preventDefault();
        note.focus();
      }
    });
  });
});
