package demo

import (
	"context"
	"fmt"
	"strings"

	"samen/internal/account"
	"samen/internal/workspace"
)

// demoFiles are the demo workspace's documents: the statutes for everyone
// (in two versions, the second after a members' meeting changed them),
// the minutes of that meeting for members and of a core meeting for core.
var demoFiles = []struct {
	name       string
	visibility workspace.Visibility
	versions   []string
}{
	{"Statuten.md", workspace.Public, []string{statutes(""), statutes("\n## Artikel 6 — Ledenraad\n\nDe ledenvergadering kan een ledenraad instellen die haar voorstellen voorbereidt.\n")}},
	{"Notulen ledenvergadering 2026-03-12.md", workspace.Visibility(workspace.Members), []string{`# Notulen algemene ledenvergadering, 12 maart 2026

Aanwezig: 23 leden, waarvan 4 met een volmacht. Voorzitter: Fatima El Amrani.

1. **Jaarverslag 2025**: vastgesteld, met dank aan de vrijwilligers van de keuken.
2. **Begroting 2026**: aangenomen (21 voor, 2 onthouden). De ledenbijdrage blijft € 25 per jaar.
3. **Statutenwijziging** (artikel 6, ledenraad): aangenomen met twee derde van de stemmen.
4. **Rondvraag**: de buurtmaaltijd op vrijdag krijgt een tweede kookploeg.

Volgende vergadering: najaar 2026.
`}},
	{"Notulen kernteam 2026-04-02.md", workspace.Visibility(workspace.Core), []string{`# Notulen kernteam, 2 april 2026

Aanwezig: het kernteam.

- Huurcontract Zeedijk: de verhuurder stelt een verlenging van vijf jaar voor; we vragen eerst advies.
- Subsidieaanvraag buurtbudget: ingediend, besluit in juni.
- Vertrouwelijk: een vrijwilliger vraagt om een onkostenvergoeding; voorstel volgt.
`}},
}

// statutes is a short set of statutes, with extra articles at the end.
func statutes(extra string) string {
	return strings.TrimLeft(`
# Statuten

## Artikel 1 — Naam en zetel

De coöperatie draagt de naam van haar keuken en is gevestigd in Amsterdam.

## Artikel 2 — Doel

De coöperatie kookt met en voor de buurt, tegen een prijs die iedereen kan betalen,
en bevordert de zeggenschap van haar leden over het voedsel dat zij delen.

## Artikel 3 — Leden

Lid kan worden ieder die het doel onderschrijft. Het kernteam beslist over de toelating;
tegen een weigering staat beroep open bij de ledenvergadering.

## Artikel 4 — Ledenvergadering

Ieder lid heeft één stem. De ledenvergadering komt ten minste eenmaal per jaar bijeen.

## Artikel 5 — Uitsluiting van aansprakelijkheid

Leden en oud-leden zijn niet aansprakelijk voor de tekorten van de coöperatie (U.A.).
`, "\n") + extra
}

// seedFiles uploads the demo's documents as by (core), when samen has a
// directory for files.
func seedFiles(ctx context.Context, svc *workspace.Service, by *account.User, ref string) error {
	if svc.Files == "" {
		return nil
	}
	for _, d := range demoFiles {
		f, err := svc.UploadFile(ctx, by, ref, workspace.Upload{Name: d.name, Visibility: d.visibility, Body: strings.NewReader(d.versions[0])})
		if err != nil {
			return fmt.Errorf("demo file %s: %w", d.name, err)
		}
		for _, v := range d.versions[1:] {
			if _, err := svc.UploadVersion(ctx, by, ref, f.ID, strings.NewReader(v)); err != nil {
				return fmt.Errorf("demo file %s: %w", d.name, err)
			}
		}
	}
	return nil
}
