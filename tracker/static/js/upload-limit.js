// Refuse a file larger than the upload limit before it is sent, with a message next to
// the field. The server checks again; this only spares a long upload that would fail.
// A file input opts in with data-max-bytes (the limit), data-limit-label ("10 MB") and
// data-limit-target (the id of the element that shows the message).
(function () {
  "use strict";

  function megabytes(size) {
    return (size / (1024 * 1024)).toFixed(1) + " MB";
  }

  function check(input) {
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    var box = document.getElementById(input.getAttribute("data-limit-target"));
    var file = input.files && input.files[0];
    var tooLarge = Boolean(file) && max > 0 && file.size > max;
    if (box) {
      box.textContent = tooLarge
        ? "This file is " + megabytes(file.size) + "; a résumé may be at most " +
          input.getAttribute("data-limit-label") + ". Choose a smaller file."
        : "";
      box.hidden = !tooLarge;
    }
    input.classList.toggle("is-invalid", tooLarge);
    input.setAttribute("aria-invalid", tooLarge ? "true" : "false");
    return !tooLarge;
  }

  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () {
      check(input);
    });
    if (input.form) {
      input.form.addEventListener("submit", function (event) {
        if (!check(input)) {
          event.preventDefault();
          input.focus();
        }
      });
    }
  });
})();
