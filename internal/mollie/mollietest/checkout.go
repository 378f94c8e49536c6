package mollietest

import (
	"html/template"
	"net/http"
	"strings"
)

// The checkout page stands in for Mollie's hosted checkout at
// _links.checkout.href. It is plain HTML that works without JavaScript,
// loads nothing from elsewhere, has a language, a title, a main landmark,
// and a labelled radio group, so that browser tests can run axe on the
// journey through it and a person in development can use it by keyboard.
// It speaks Dutch when the payment's locale is Dutch, English otherwise.

type checkoutText struct {
	Lang, Title, Intro, Description, Amount, Legend, Continue, Choose string
	Outcomes                                                          []outcome
}

type outcome struct{ Value, Label string }

var checkoutTexts = map[string]checkoutText{
	"en": {
		Lang: "en", Title: "Test payment", Intro: "This is mollietest, a stand-in for Mollie's checkout. No money moves.",
		Description: "Description", Amount: "Amount", Legend: "How should this payment end?", Continue: "Continue",
		Choose: "Choose how the payment ends.",
		Outcomes: []outcome{
			{"paid", "Paid: the payment succeeds"},
			{"failed", "Failed: the bank refuses"},
			{"canceled", "Canceled: the payer cancels"},
			{"expired", "Expired: the payer walks away"},
		},
	},
	"nl": {
		Lang: "nl", Title: "Testbetaling", Intro: "Dit is mollietest, een stand-in voor de betaalpagina van Mollie. Er gaat geen geld over.",
		Description: "Omschrijving", Amount: "Bedrag", Legend: "Hoe moet deze betaling aflopen?", Continue: "Doorgaan",
		Choose: "Kies hoe de betaling afloopt.",
		Outcomes: []outcome{
			{"paid", "Betaald: de betaling lukt"},
			{"failed", "Mislukt: de bank weigert"},
			{"canceled", "Geannuleerd: de betaler breekt af"},
			{"expired", "Verlopen: de betaler haakt af"},
		},
	},
}

var checkoutPage = template.Must(template.New("checkout").Parse(`<!doctype html>
<html lang="{{.T.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.T.Title}} – mollietest</title>
</head>
<body>
<main>
<h1>{{.T.Title}}</h1>
<p>{{.T.Intro}}</p>
<dl>
<dt>{{.T.Description}}</dt><dd>{{.Description}}</dd>
<dt>{{.T.Amount}}</dt><dd>{{.Currency}} {{.Value}}</dd>
</dl>
<form method="post" action="{{.Action}}">
{{if .Error}}<p id="outcome-error" role="alert">{{.T.Choose}}</p>{{end}}
<fieldset{{if .Error}} aria-describedby="outcome-error"{{end}}>
<legend>{{.T.Legend}}</legend>
{{range .T.Outcomes}}<div><input type="radio" name="status" value="{{.Value}}" id="status-{{.Value}}" required> <label for="status-{{.Value}}">{{.Label}}</label></div>
{{end}}</fieldset>
<button type="submit">{{.T.Continue}}</button>
</form>
</main>
</body>
</html>
`))

// serveCheckout shows the checkout of an open payment (GET) and settles it
// with the outcome chosen (POST), then sends the payer back to the
// redirectUrl, or the cancelUrl when canceled and given, with a 303 as
// Mollie does. The webhook has been called by then, so the page the payer
// comes back to sees the payment's new status.
func (s *Server) serveCheckout(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	p, ok := s.payments[id]
	var status, back, cancel, locale, desc, currency, value string
	if ok {
		status, back, cancel, locale = p.status, p.redirectURL, p.cancelURL, p.locale
		desc, currency, value = p.description, p.currency, formatCents(p.cents)
	}
	s.mu.Unlock()
	t := checkoutTexts["en"]
	if strings.HasPrefix(locale, "nl_") {
		t = checkoutTexts["nl"]
	}
	if !ok {
		http.Error(w, "mollietest: no such payment", http.StatusNotFound)
		return
	}
	if status != "open" && status != "pending" {
		// Done already (a second tab, the back button): Mollie sends the
		// payer back too.
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 4096)
		chosen := r.PostFormValue("status")
		valid := false
		for _, o := range t.Outcomes {
			valid = valid || o.Value == chosen
		}
		if valid {
			// An error here means another request settled it first; the
			// payer goes back all the same.
			_ = s.Settle(id, chosen)
			if chosen == "canceled" && cancel != "" {
				back = cancel
			}
			http.Redirect(w, r, back, http.StatusSeeOther)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusUnprocessableEntity)
		_ = checkoutPage.Execute(w, pageData(t, id, desc, currency, value, true))
		return
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "mollietest: method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = checkoutPage.Execute(w, pageData(t, id, desc, currency, value, false))
}

func pageData(t checkoutText, id, desc, currency, value string, failed bool) any {
	return struct {
		T                                    checkoutText
		Action, Description, Currency, Value string
		Error                                bool
	}{t, "/checkout/" + id, desc, currency, value, failed}
}
