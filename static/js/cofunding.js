/* Live cofunding computation next to the request form (templates/employer/cofunding_form.html).

   As the collectivité types the annual loaded cost, the period or ticks the funders,
   this asks the public simulator (GET /api/v1/simulateur?cout=&anah=0|1&debut=&fin=)
   and rewrites the panel #calcul-resultat (inside an aria-live="polite" region).
   The API always includes the Banque des territoires part: when it is not asked, the
   State (ANCT) pays it, so the panel shows ANCT = anct + bdt and BdT "Non sollicitée"
   (the saved plan, computed on the server, may differ by a cent of rounding).
   The page works without this script: the "Calculer" button computes on the server. */
(function () {
  "use strict";

  var panel = document.getElementById("calcul");
  var output = document.getElementById("calcul-resultat");
  var form = document.querySelector("form[data-cofunding-form]");
  if (!panel || !output || !form || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var apiUrl = panel.getAttribute("data-simulator-url");
  var fields = {
    cost: form.elements.namedItem("annual_loaded_cost"),
    start: form.elements.namedItem("period_start"),
    end: form.elements.namedItem("period_end"),
    bdt: form.elements.namedItem("bdt_asked"),
    anah: form.elements.namedItem("anah_asked"),
  };
  if (!fields.cost || !fields.start || !fields.end || !fields.bdt || !fields.anah) {
    return;
  }
  var watched = [fields.cost, fields.start, fields.end, fields.bdt, fields.anah];
  var money = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });
  var percent = new Intl.NumberFormat("fr-FR", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var timer = null;
  var latest = 0;

  /* "60 000,50", "60.000", "60000.5 €" → "60000.50"-like text for the API, or null. */
  function parseAmount(text) {
    var value = (text || "").replace(/[\s\u00a0\u202f€]/g, "");
    if (!value) {
      return null;
    }
    if (value.indexOf(",") !== -1) {
      value = value.replace(/\./g, "").replace(",", ".");
    } else if (/^\d{1,3}(\.\d{3})+$/.test(value)) {
      value = value.replace(/\./g, "");
    }
    return /^\d+(\.\d{1,2})?$/.test(value) && Number(value) > 0 ? value : null;
  }

  /* The browser's date picker gives AAAA-MM-JJ; a typed JJ/MM/AAAA is turned into it. */
  function parseDate(text) {
    var value = (text || "").trim();
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
      return value;
    }
    var typed = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value);
    if (typed) {
      return typed[3] + "-" + ("0" + typed[2]).slice(-2) + "-" + ("0" + typed[1]).slice(-2);
    }
    return null;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function show(nodes) {
    while (output.firstChild) {
      output.removeChild(output.firstChild);
    }
    nodes.forEach(function (node) {
      output.appendChild(node);
    });
  }

  function say(text) {
    show([element("p", "fr-text--sm", text)]);
  }

  function row(label, amount, header) {
    var line = element("tr");
    var name = element(header ? "th" : "td", "", label);
    if (header) {
      name.setAttribute("scope", "row");
    }
    var cell = element("td");
    if (header) {
      cell.appendChild(element("strong", "", amount));
    } else {
      cell.textContent = amount;
    }
    line.appendChild(name);
    line.appendChild(cell);
    return line;
  }

  function render(result, bdtAsked, anahAsked) {
    var parts = result.parts;
    var anct = bdtAsked ? parts.anct : parts.anct + parts.bdt;
    var intro = element(
      "p",
      "fr-text--sm",
      "Pour " + result.jours + " jour" + (result.jours > 1 ? "s" : "") + " :"
    );
    var wrapper = element("div", "fr-table fr-table--no-caption fr-mb-1w");
    var table = element("table");
    table.appendChild(element("caption", "", "Parts proposées par financeur"));
    var head = element("thead");
    var headRow = element("tr");
    ["Financeur", "Montant"].forEach(function (label) {
      var cell = element("th", "", label);
      cell.setAttribute("scope", "col");
      headRow.appendChild(cell);
    });
    head.appendChild(headRow);
    table.appendChild(head);
    var body = element("tbody");
    body.appendChild(row("ANCT / État", money.format(anct)));
    body.appendChild(
      row("Banque des territoires", bdtAsked ? money.format(parts.bdt) : "Non sollicitée")
    );
    body.appendChild(row("ANAH", anahAsked ? money.format(parts.anah) : "Non sollicitée"));
    body.appendChild(row("Total", money.format(result.total), true));
    table.appendChild(body);
    wrapper.appendChild(table);
    var ceiling = element(
      "p",
      "fr-text--sm",
      "Plafond du total sur la période : " +
        money.format(result.plafond_total) +
        ". Le total couvre " +
        percent.format(result.taux * 100) +
        " % du coût de la période."
    );
    show([intro, wrapper, ceiling]);
  }

  function update() {
    var cost = parseAmount(fields.cost.value);
    var start = parseDate(fields.start.value);
    var end = parseDate(fields.end.value);
    if (!cost || !start || !end) {
      say("Indiquez le coût chargé annuel et la période : le calcul s'affiche ici.");
      return;
    }
    var bdtAsked = fields.bdt.checked;
    var anahAsked = fields.anah.checked;
    var query = new URLSearchParams({
      cout: cost,
      anah: anahAsked ? "1" : "0",
      debut: start,
      fin: end,
    });
    var ticket = ++latest;
    fetch(apiUrl + "?" + query.toString(), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      })
      .then(function (answer) {
        if (ticket !== latest) {
          return; // a newer computation is on its way
        }
        if (answer.ok) {
          render(answer.body, bdtAsked, anahAsked);
        } else {
          say("Calcul impossible : " + (answer.body.message || "vérifiez le coût et la période."));
        }
      })
      .catch(function () {
        if (ticket === latest) {
          say("Le calcul n'a pas pu être mis à jour : utilisez le bouton « Calculer ».");
        }
      });
  }

  function schedule(event) {
    if (watched.indexOf(event.target) === -1) {
      return;
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 400);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
})();
