/* Commune type-ahead on the search page's "Près de" field (templates/public/search.html).

   As the visitor types two letters or more (a name or a postcode), this asks the
   public endpoint GET /api/v1/collectivites?q= (the URL is the wrapper's
   data-typeahead-url), keeps its communes and lists them under the field as an ARIA
   combobox (WAI-ARIA Authoring Practices, "list autocomplete with manual selection"):
   Down and Up move through the list, Enter or a click chooses, Escape closes. Choosing
   fills the field with "Name (département)", which the server resolves to that commune
   even when another département has one of the same name.

   The page works without this script: the server resolves what is typed and proposes
   close communes for a misspelt name. */
(function () {
  "use strict";

  var wrapper = document.querySelector(".app-typeahead[data-typeahead-url]");
  var input = wrapper && wrapper.querySelector("input");
  if (!wrapper || !input || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var endpoint = wrapper.getAttribute("data-typeahead-url");
  var MIN_CHARS = 2;
  var MAX_OPTIONS = 8;
  var DELAY_MS = 200;

  var list = document.createElement("ul");
  list.id = input.id + "-propositions";
  list.className = "app-typeahead__list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Communes proposées");
  list.hidden = true;
  var status = document.createElement("p");
  status.className = "fr-sr-only";
  status.setAttribute("aria-live", "polite");
  wrapper.appendChild(list);
  wrapper.appendChild(status);

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);

  var options = [];
  var active = -1;
  var timer = null;
  var controller = null;
  var lastQuery = null;

  /* "29233" → "29", "2A004" → "2A", "97105" → "971". */
  function departmentCode(insee) {
    return insee.indexOf("97") === 0 ? insee.slice(0, 3) : insee.slice(0, 2);
  }

  /* "Commune — Loire (42) — 42000 42100 42230" → "Loire (42) — 42000": the
     postcode typed, or the first one. */
  function shortDetail(detail, query) {
    var parts = detail.replace(/^Commune — /, "").split(" — ");
    var postcodes = (parts[1] || "").split(" ").filter(Boolean);
    if (!postcodes.length) {
      return parts[0];
    }
    var shown = postcodes.indexOf(query) >= 0 ? query : postcodes[0];
    return parts[0] + " — " + shown;
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    options.forEach(function (option, position) {
      option.element.setAttribute("aria-selected", position === index ? "true" : "false");
    });
    active = index;
    if (index < 0) {
      input.removeAttribute("aria-activedescendant");
      return;
    }
    var element = options[index].element;
    input.setAttribute("aria-activedescendant", element.id);
    element.scrollIntoView({ block: "nearest" });
  }

  function choose(index) {
    input.value = options[index].value;
    close();
    status.textContent = options[index].value + " choisie.";
  }

  function show(communes) {
    list.textContent = "";
    options = communes.slice(0, MAX_OPTIONS).map(function (commune, index) {
      var element = document.createElement("li");
      element.id = list.id + "-" + index;
      element.className = "app-typeahead__option";
      element.setAttribute("role", "option");
      element.setAttribute("aria-selected", "false");
      element.textContent = commune.name;
      /* Read as "Landerneau, Finistère (29) — 29800"; seen on two lines. */
      var separator = document.createElement("span");
      separator.className = "fr-sr-only";
      separator.textContent = ", ";
      var detail = document.createElement("small");
      detail.textContent = commune.detail;
      element.appendChild(separator);
      element.appendChild(detail);
      /* mousedown, not click: the field keeps the focus and its list stays open. */
      element.addEventListener("mousedown", function (event) {
        event.preventDefault();
        choose(index);
      });
      list.appendChild(element);
      return { element: element, value: commune.value };
    });
    active = -1;
    if (!options.length) {
      close();
      status.textContent = "Aucune commune ne commence ainsi.";
      return;
    }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    status.textContent =
      options.length +
      (options.length > 1 ? " communes proposées" : " commune proposée") +
      " : flèche bas pour choisir.";
  }

  function search() {
    var query = input.value.trim();
    if (query.length < MIN_CHARS) {
      lastQuery = null;
      close();
      return;
    }
    if (query === lastQuery) {
      return;
    }
    lastQuery = query;
    if (controller) {
      controller.abort();
    }
    controller = window.AbortController ? new AbortController() : null;
    var url = endpoint + "?" + new URLSearchParams({ q: query }).toString();
    fetch(url, { headers: { Accept: "application/json" }, signal: controller ? controller.signal : undefined })
      .then(function (response) {
        return response.ok ? response.json() : { resultats: [] };
      })
      .then(function (body) {
        if (query !== input.value.trim()) {
          return;
        }
        var communes = (body.resultats || [])
          .filter(function (result) {
            return result.choix && result.choix.indexOf("commune:") === 0;
          })
          .map(function (result) {
            var insee = result.choix.slice("commune:".length);
            return {
              name: result.nom,
              detail: shortDetail(result.detail || "", query),
              value: result.nom + " (" + departmentCode(insee) + ")",
            };
          });
        show(communes);
      })
      .catch(function () {
        /* Aborted by a newer request, or offline: the field still works as typed. */
      });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, DELAY_MS);
  });

  input.addEventListener("keydown", function (event) {
    var open = !list.hidden && options.length > 0;
    if (event.key === "ArrowDown") {
      if (!open) {
        if (options.length) {
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
          highlight(0);
        }
      } else {
        highlight((active + 1) % options.length);
      }
      event.preventDefault();
    } else if (event.key === "ArrowUp" && open) {
      highlight(active <= 0 ? options.length - 1 : active - 1);
      event.preventDefault();
    } else if (event.key === "Enter" && open && active >= 0) {
      /* Choose the commune; the next Enter submits the search. */
      choose(active);
      event.preventDefault();
    } else if (event.key === "Escape" && open) {
      close();
      event.preventDefault();
    }
  });

  input.addEventListener("blur", close);
})();
