// Kinship's own behaviour, on top of htmx: toasts, confirmation dialogs, focus after swaps.
// No inline scripts anywhere (the Content-Security-Policy forbids them).
(function () {
  "use strict";

  function showToast(level, text) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var toast = document.createElement("div");
    toast.className = "toast toast-" + (level || "info");
    toast.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    toast.appendChild(close);
    box.appendChild(toast);
    setTimeout(function () { toast.remove(); }, 8000);
  }

  // Messages queued during an htmx request arrive as an HX-Trigger event.
  document.body.addEventListener("messages", function (event) {
    (event.detail.value || []).forEach(function (message) {
      showToast(message.level, message.text);
    });
  });

  document.addEventListener("click", function (event) {
    if (event.target.classList.contains("toast-close")) {
      event.target.parentElement.remove();
    }
  });

  // Forms with data-confirm ask first, in the page's <dialog>.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (!question || form.dataset.confirmed === "yes") return;
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog || typeof dialog.showModal !== "function") return;
    event.preventDefault();
    event.stopImmediatePropagation();
    document.getElementById("confirm-message").textContent = question;
    document.getElementById("confirm-ok").textContent = form.getAttribute("data-confirm-button") || "Confirm";
    dialog.returnValue = "";
    dialog.addEventListener("close", function onClose() {
      dialog.removeEventListener("close", onClose);
      if (dialog.returnValue === "confirm") {
        form.dataset.confirmed = "yes";
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
        delete form.dataset.confirmed;
      }
    });
    dialog.showModal();
  }, true);

  // After a tab or customer is swapped in, move focus there for keyboard and screen-reader users.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    // A form opened or re-drawn in place (Select Customer, Choose someone else): its heading.
    if (target && ["group-editor", "link-editor", "segment-editor", "bulk-editor", "partner-editor"].indexOf(target.id) !== -1) {
      var editor = document.getElementById(target.id);
      var title = editor && editor.querySelector("h3[tabindex='-1']");
      if (title) title.focus({ preventScroll: false });
      return;
    }
    if (target && (target.id === "customer-tabs" || target.id === "desk-customer")) {
      // An outerHTML swap puts a new element in the target's place: focus inside that one.
      target = document.getElementById(target.id) || target;
      var heading = target.querySelector("[aria-selected='true']") || target.querySelector("h2");
      if (heading) heading.focus({ preventScroll: false });
    }
  });

  // Arrow keys move between tabs, as in any tab strip; Enter opens the focused one.
  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest && event.target.closest("[role='tab']");
    if (!tab || (event.key !== "ArrowRight" && event.key !== "ArrowLeft")) return;
    var tabs = Array.prototype.slice.call(tab.closest("[role='tablist']").querySelectorAll("[role='tab']"));
    var step = event.key === "ArrowRight" ? 1 : -1;
    tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length].focus();
    event.preventDefault();
  });

  // An error response still tells the receptionist what happened.
  document.body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    // The server already said why, as a message toast: don't say it twice.
    if ((event.detail.xhr.getResponseHeader("HX-Trigger") || "").indexOf("messages") !== -1) return;
    var text = status === 403 ? "You don't have permission to do that."
      : status === 404 ? "That was not found; it may have been removed."
      : status === 409 ? "Someone else changed this meanwhile. Reload and try again."
      : "Something went wrong; nothing was changed. Please try again.";
    showToast("error", text);
  });
  document.body.addEventListener("htmx:sendError", function () {
    showToast("error", "The server could not be reached. Check the connection and try again.");
  });

  // Enter in a live search box searches (it already does, as you type) rather than
  // submitting the form around it, which would add or save before anyone was chosen.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches && event.target.matches("input[data-search]")) {
      event.preventDefault();
    }
  });

  // The client list's selection: a page's worth with the header box, or every customer
  // that matches the filters with "Select all N matching"; the bar says how many. N costs
  // a count the list itself never runs, so it is asked for once someone starts ticking.
  function plural(count, word) {
    return count + " " + word + (count === "1" || count === 1 ? "" : "s");
  }
  function bulkState() {
    var form = document.querySelector("form[data-bulk]");
    if (!form) return;
    var rows = Array.prototype.slice.call(document.querySelectorAll("input[data-select-row]"));
    var all = form.querySelector("input[data-all-matching]");
    var ticked = rows.filter(function (box) { return box.checked; }).length;
    var page = document.querySelector("input[data-select-page]");
    rows.forEach(function (box) { box.disabled = all.checked; });
    if (page) {
      page.disabled = all.checked;
      page.checked = all.checked || (rows.length > 0 && ticked === rows.length);
      page.indeterminate = !all.checked && ticked > 0 && ticked < rows.length;
    }
    var total = document.getElementById("matching-total");
    var counted = total && total.getAttribute("data-count");
    var count = form.querySelector("[data-bulk-count]");
    count.textContent = all.checked
      ? (counted ? "All " + plural(counted, "matching customer") + " selected." : "All matching customers selected.")
      : ticked === 0 ? "No customers selected." : plural(ticked, "customer") + " selected.";
  }
  function countMatching() {
    var all = document.querySelector("input[data-all-matching]");
    var total = document.getElementById("matching-total");
    if (!all || !total || total.hasAttribute("data-count") || total.hasAttribute("data-asked") || !window.htmx) return;
    total.setAttribute("data-asked", "");
    htmx.ajax("GET", all.getAttribute("data-count-url"), { target: "#matching-total", swap: "outerHTML" })
      .then(bulkState);
  }
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches) return;
    if (box.matches("input[data-select-page]")) {
      document.querySelectorAll("input[data-select-row]").forEach(function (row) { row.checked = box.checked; });
    }
    if (box.matches("input[data-select-page], input[data-select-row], input[data-all-matching]")) {
      bulkState();
      countMatching();
    }
  });
  document.body.addEventListener("htmx:afterSettle", bulkState);
  bulkState();

  document.querySelectorAll("#toasts .toast").forEach(function (toast) {
    setTimeout(function () { toast.remove(); }, 8000);
  });
})();
