package web

import (
	"context"
	"net/http"
	"time"
)

// addRoutes is the site map: one function per part, each line saying who
// may use the route. Pages are registered with handle, the JSON API (under
// /api/v1) with api. A new part adds its function here.
func (s *Server) addRoutes() {
	s.siteRoutes()
	s.accountRoutes()
	s.adminRoutes()
	s.atlasRoutes()
	s.toolboxRoutes()
	s.assessRoutes()
	s.workspaceRoutes()
	s.decideRoutes()

	// Anything else: a 404 in the right form (JSON under /api/, a page
	// elsewhere).
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { s.fail(w, r, problemNotFound) })
}

// siteRoutes are the site as a whole: home, language, operations, files.
func (s *Server) siteRoutes() {
	s.handle("GET /{$}", anyone, s.home)
	s.handle("GET /api", anyone, s.apiPage)
	s.handle("GET /language", anyone, s.setLanguage)
	s.handle("GET /healthz", anyone, s.healthz)
	s.handle("GET /readyz", anyone, s.readyz)
	s.handle("GET /metrics", anyone, s.metricsPage)
	s.handle("GET /static/", anyone, s.staticFile)
	s.handle("GET /favicon.ico", anyone, s.staticFile)
	s.handle("GET /robots.txt", anyone, s.staticFile)
	s.api("GET /openapi.json", anyone, s.openAPI)
}

// accountRoutes: signing up and in, one's own account and API tokens.
func (s *Server) accountRoutes() {
	s.handle("GET /signup", anyone, s.signupForm)
	s.handle("POST /signup", anyone, s.signup)
	s.handle("GET /verify", anyone, s.verify)
	s.handle("GET /verify/resend", anyone, s.resendForm)
	s.handle("POST /verify/resend", anyone, s.resend)
	s.handle("GET /login", anyone, s.loginForm)
	s.handle("POST /login", anyone, s.login)
	s.handle("GET /logout", anyone, s.logoutForm)
	s.handle("POST /logout", anyone, s.logout)
	s.handle("GET /password/forgot", anyone, s.forgotForm)
	s.handle("POST /password/forgot", anyone, s.forgot)
	s.handle("GET /password/reset", anyone, s.resetForm)
	s.handle("POST /password/reset", anyone, s.reset)
	s.handle("GET /auth/oidc/login", anyone, s.oidcLogin)
	s.handle("GET /auth/oidc/callback", anyone, s.oidcCallback)
	s.handle("GET /account", signedIn, s.accountPage)
	s.handle("POST /account/profile", signedIn, s.updateProfile)
	s.handle("POST /account/password", signedIn, s.changePassword)
	s.handle("POST /account/tokens", signedIn, s.createToken)
	s.handle("POST /account/tokens/{id}/revoke", signedIn, s.revokeToken)
	s.handle("POST /account/sessions/{id}/end", signedIn, s.endSession)
	s.handle("GET /account/export.zip", signedIn, s.exportZIP)
	s.handle("POST /account/erasure", signedIn, s.requestErasure)
	s.api("GET /me", signedIn, s.apiMe)
	s.api("GET /me/export", signedIn, s.apiMyData)
	s.api("GET /tokens", signedIn, s.apiTokens)
	s.api("POST /tokens", signedIn, s.apiCreateToken)
	s.api("DELETE /tokens/{id}", signedIn, s.apiRevokeToken)
}

// adminRoutes: the stewards' pages on people, the audit log and the outbox.
func (s *Server) adminRoutes() {
	s.handle("GET /admin/people", stewards, s.peoplePage)
	s.handle("POST /admin/people/{id}/role", stewards, s.setRole)
	s.handle("POST /admin/people/{id}/access", stewards, s.setAccess)
	s.handle("GET /admin/people/{id}/erase", stewards, s.eraseForm)
	s.handle("POST /admin/people/{id}/erase", stewards, s.erase)
	s.handle("GET /admin/audit", stewards, s.auditPage)
	s.handle("GET /admin/outbox", stewards, s.outboxPage)
	s.api("GET /users", stewards, s.apiUsers)
	s.api("PATCH /users/{id}", stewards, s.apiUpdateUser)
	s.api("GET /audit", stewards, s.apiAudit)
}

// atlasRoutes: the map and directory, its editing, moderation and open data.
func (s *Server) atlasRoutes() {
	s.handle("GET /atlas", anyone, s.atlasList)
	s.handle("GET /atlas/feed.atom", anyone, s.atlasFeed)
	s.handle("GET /atlas/districts.geojson", anyone, s.districtsGeoJSON)
	s.handle("GET /atlas/new", signedIn, s.newInitiativeForm)
	s.handle("POST /atlas/new", signedIn, s.createInitiative)
	s.handle("GET /atlas/{id}", anyone, s.initiativeView)
	s.handle("GET /atlas/{id}/edit", signedIn, s.editInitiativeForm)
	s.handle("POST /atlas/{id}/edit", signedIn, s.editInitiative)
	s.handle("GET /atlas/{id}/history", anyone, s.initiativeHistory)
	s.handle("GET /atlas/{id}/report", anyone, s.reportForm)
	s.handle("POST /atlas/{id}/report", anyone, s.report)
	s.handle("GET /atlas/{id}/contact", anyone, s.contactForm)
	s.handle("POST /atlas/{id}/contact", anyone, s.contact)
	s.handle("GET /atlas/{id}/editors", signedIn, s.initiativeEditors)
	s.handle("POST /atlas/{id}/editors/add", signedIn, s.initiativeEditorsAdd)
	s.handle("POST /atlas/{id}/editors/remove", signedIn, s.initiativeEditorsRemove)
	s.handle("GET /atlas/{id}/logo", anyone, s.initiativeLogo)
	s.handle("POST /atlas/{id}/logo", signedIn, s.uploadLogo)
	s.handle("POST /atlas/{id}/logo/remove", signedIn, s.removeLogo)
	s.handle("POST /atlas/{id}/workspace", signedIn, s.openInitiativeWorkspace)
	s.handle("POST /atlas/{id}/{action}", signedIn, s.initiativeAction)
	s.handle("GET /embed/atlas", anyone, s.embedAtlas)
	s.handle("GET /tiles/{z}/{x}/{y}", anyone, s.tile)
	s.handle("GET /tiles/basemap.pmtiles", anyone, s.basemapFile)
	s.handle("GET /moderation", moderators, s.moderation)
	s.handle("POST /moderation/revisions/{id}", moderators, s.reviewRevision)
	s.handle("POST /moderation/reports/{id}", moderators, s.closeReport)
	s.api("GET /initiatives", anyone, s.apiInitiatives)
	s.api("POST /initiatives", signedIn, s.apiCreateInitiative)
	s.api("GET /initiatives/changes", anyone, s.apiChanges)
	s.api("GET /initiatives/{id}", anyone, s.apiInitiative)
	s.api("PUT /initiatives/{id}", signedIn, s.apiUpdateInitiative)
	s.api("GET /initiatives/{id}/murmurations", anyone, s.apiMurmurations)
	s.api("GET /clusters", anyone, s.apiClusters)
	s.api("GET /export/{format}", anyone, s.apiExport)
	s.api("GET /atlas/vocabulary", anyone, s.apiVocabulary)
}

// toolboxRoutes: the catalogue, the self-scan, the advisor and the guides.
func (s *Server) toolboxRoutes() {
	s.handle("GET /toolbox", anyone, s.toolboxIndex)
	s.handle("GET /toolbox/tools/new", stewards, s.newToolForm)
	s.handle("POST /toolbox/tools/new", stewards, s.saveTool)
	s.handle("GET /toolbox/tools/{id}", anyone, s.toolView)
	s.handle("GET /toolbox/tools/{id}/edit", stewards, s.editToolForm)
	s.handle("POST /toolbox/tools/{id}/edit", stewards, s.saveTool)
	s.handle("GET /toolbox/tools/{id}/history", anyone, s.toolHistory)
	s.handle("POST /toolbox/tools/{id}/restore/{rev}", stewards, s.restoreTool)
	s.handle("GET /toolbox/export/{format}", anyone, s.toolboxExport)
	s.handle("GET /toolbox/import", stewards, s.toolboxImportForm)
	s.handle("POST /toolbox/import", stewards, s.toolboxImport)
	s.handle("GET /toolbox/scan", anyone, s.scanPage)
	s.handle("POST /toolbox/scan", anyone, s.runScan)
	s.handle("GET /toolbox/scans", signedIn, s.myScans)
	s.handle("GET /toolbox/scans/{id}", anyone, s.savedScan)
	s.handle("POST /toolbox/scans/{id}/share", signedIn, s.shareScan)
	s.handle("GET /toolbox/aggregates", stewards, s.scanAggregates)
	s.handle("GET /toolbox/advisor", anyone, s.advisor)
	s.handle("GET /toolbox/guides", anyone, s.guidesIndex)
	s.handle("GET /toolbox/guides/new", stewards, s.newGuideForm)
	s.handle("POST /toolbox/guides/new", stewards, s.saveGuide)
	s.handle("GET /toolbox/guides/{id}", anyone, s.guideView)
	s.handle("GET /toolbox/guides/{id}/edit", stewards, s.editGuideForm)
	s.handle("POST /toolbox/guides/{id}/edit", stewards, s.saveGuide)
	s.handle("GET /toolbox/guides/{id}/history", anyone, s.guideHistory)
	s.handle("POST /toolbox/guides/{id}/restore/{rev}", stewards, s.restoreGuide)
	s.api("GET /tools", anyone, s.apiToolList)
	s.api("GET /tools/{id}", anyone, s.apiTool)
	s.api("POST /scans", anyone, s.apiScan)
	s.api("GET /advice", anyone, s.apiAdvice)
}

// assessRoutes: the assessment framework, assessments and their reviews.
func (s *Server) assessRoutes() {
	s.handle("GET /assessments", anyone, s.assessmentsIndex)
	s.handle("GET /assessments/methodology", anyone, s.methodology)
	s.handle("GET /assessments/compare", anyone, s.compareAssessments)
	s.handle("GET /assessments/new", stewards, s.newAssessmentForm)
	s.handle("POST /assessments/new", stewards, s.createAssessment)
	s.handle("GET /assessments/frameworks/new", stewards, s.frameworkForm)
	s.handle("POST /assessments/frameworks/new", stewards, s.publishFramework)
	s.handle("GET /assessments/{id}", anyone, s.assessmentView)
	s.handle("GET /assessments/{id}/review", signedIn, s.reviewFormPage)
	s.handle("POST /assessments/{id}/review", signedIn, s.saveReview)
	s.handle("POST /assessments/{id}/{action}", signedIn, s.assessmentAction)
	s.api("GET /assessment/framework", anyone, s.apiFramework)
	s.api("GET /assessments", anyone, s.apiAssessments)
	s.api("GET /assessments/{id}", anyone, s.apiAssessment)
}

// workspaceRoutes: an initiative's back office, its circles and register.
// Who may do what inside a workspace depends on one's circle and roles
// there, which the workspace service checks; the router checks only
// whether someone is signed in.
func (s *Server) workspaceRoutes() {
	s.handle("GET /workspaces", signedIn, s.workspacesIndex)
	s.handle("GET /workspaces/new", signedIn, s.newWorkspaceForm)
	s.handle("POST /workspaces/new", signedIn, s.createWorkspace)
	s.handle("GET /workspaces/invitation", anyone, s.invitationView)
	s.handle("POST /workspaces/invitation", signedIn, s.acceptInvitation)
	s.handle("GET /workspaces/{ws}", anyone, s.workspaceHome)
	s.handle("POST /workspaces/{ws}/{action}", signedIn, s.workspaceAction)
	s.handle("GET /workspaces/{ws}/settings", signedIn, s.workspaceSettingsForm)
	s.handle("POST /workspaces/{ws}/settings", signedIn, s.saveWorkspaceSettings)
	s.handle("GET /workspaces/{ws}/members", signedIn, s.workspaceRegister)
	s.handle("GET /workspaces/{ws}/members/import", signedIn, s.workspaceImportForm)
	s.handle("POST /workspaces/{ws}/members/import", signedIn, s.workspaceImport)
	s.handle("GET /workspaces/{ws}/members/export", signedIn, s.workspaceExport)
	s.handle("GET /workspaces/{ws}/members/new", signedIn, s.addMemberForm)
	s.handle("POST /workspaces/{ws}/members/new", signedIn, s.addMember)
	s.handle("GET /workspaces/{ws}/members/{id}", signedIn, s.workspacePerson)
	s.handle("POST /workspaces/{ws}/members/{id}/{action}", signedIn, s.personAction)
	s.handle("GET /workspaces/{ws}/fields", signedIn, s.workspaceFields)
	s.handle("POST /workspaces/{ws}/fields/{action}", signedIn, s.fieldsAction)
	s.handle("GET /workspaces/{ws}/consents", signedIn, s.workspaceConsents)
	s.handle("POST /workspaces/{ws}/consents", signedIn, s.publishConsent)
	s.handle("GET /workspaces/{ws}/shares", signedIn, s.workspaceShares)
	s.handle("POST /workspaces/{ws}/shares/{action}", signedIn, s.sharesAction)
	s.handle("GET /workspaces/{ws}/shares/import", signedIn, s.sharesImportForm)
	s.handle("POST /workspaces/{ws}/shares/import", signedIn, s.sharesImport)
	s.handle("GET /workspaces/{ws}/shares/{id}", signedIn, s.workspaceParticipation)
	s.handle("POST /workspaces/{ws}/shares/{id}/{action}", signedIn, s.participationAction)
	s.handle("GET /workspaces/{ws}/ledger", signedIn, s.workspaceLedger)
	s.handle("POST /workspaces/{ws}/ledger/{action}", signedIn, s.ledgerAction)
	s.handle("GET /workspaces/{ws}/fees", signedIn, s.workspaceFees)
	s.handle("POST /workspaces/{ws}/fees/{action}", signedIn, s.feesAction)
	s.handle("GET /workspaces/{ws}/announcements", anyone, s.workspaceAnnouncements)
	s.handle("POST /workspaces/{ws}/announcements", signedIn, s.sendAnnouncement)
	s.handle("GET /workspaces/{ws}/feed.atom", anyone, s.workspaceFeed)
	// The unsubscribe link of the announcements works without a session;
	// its POST is RFC 8058's one-click, let past the origin check in
	// server.go.
	s.handle("GET /workspaces/{ws}/unsubscribe", anyone, s.unsubscribeView)
	s.handle("POST /workspaces/{ws}/unsubscribe", anyone, s.unsubscribe)
	s.handle("POST /workspaces/{ws}/subscription", signedIn, s.setSubscription)
	s.handle("GET /workspaces/{ws}/channels", anyone, s.workspaceChannels)
	s.handle("POST /workspaces/{ws}/channels/{action}", signedIn, s.channelsAction)
	s.handle("GET /workspaces/{ws}/invite", signedIn, s.workspaceInvite)
	s.handle("POST /workspaces/{ws}/invite/{action}", signedIn, s.inviteAction)
	// Files: anyone lists and downloads what their circle sees (a visitor
	// the public files); the files role changes them.
	s.handle("GET /workspaces/{ws}/files", anyone, s.workspaceFiles)
	s.handle("POST /workspaces/{ws}/files", signedIn, s.uploadWorkspaceFile)
	s.handle("GET /workspaces/{ws}/files/{id}", anyone, s.workspaceFile)
	s.handle("GET /workspaces/{ws}/files/{id}/download", anyone, s.downloadWorkspaceFile)
	s.handle("POST /workspaces/{ws}/files/{id}/{action}", signedIn, s.fileAction)
	s.api("GET /workspaces", signedIn, s.apiWorkspaces)
	s.api("POST /workspaces", signedIn, s.apiCreateWorkspace)
	s.api("GET /workspaces/{ws}", anyone, s.apiWorkspace)
	s.api("GET /workspaces/{ws}/members", signedIn, s.apiMembers)
	s.api("POST /workspaces/{ws}/members", signedIn, s.apiAddMember)
	s.api("POST /workspaces/{ws}/members/import", signedIn, s.apiImportMembers)
	s.api("GET /workspaces/{ws}/members/export", signedIn, s.workspaceExport)
	s.api("GET /workspaces/{ws}/members/{id}", signedIn, s.apiMember)
	s.api("PATCH /workspaces/{ws}/members/{id}", signedIn, s.apiUpdateMember)
	s.api("GET /workspaces/{ws}/fields", signedIn, s.apiFields)
	s.api("GET /workspaces/{ws}/participations", signedIn, s.apiParticipations)
	s.api("POST /workspaces/{ws}/participations", signedIn, s.apiAddParticipation)
	s.api("GET /workspaces/{ws}/ledger", signedIn, s.apiLedger)
	s.api("GET /workspaces/{ws}/announcements", signedIn, s.apiAnnouncements)
	s.api("POST /workspaces/{ws}/announcements", signedIn, s.apiAnnounce)
	s.api("GET /workspaces/{ws}/channels", signedIn, s.apiChannels)
	s.api("POST /workspaces/{ws}/channels", signedIn, s.apiSaveChannel)
	s.api("DELETE /workspaces/{ws}/channels/{id}", signedIn, s.apiRemoveChannel)
	s.api("POST /workspaces/{ws}/invitations", signedIn, s.apiInvite)
	s.api("GET /workspaces/{ws}/files", signedIn, s.apiFiles)
	s.api("POST /workspaces/{ws}/files", signedIn, s.apiUploadFile)
	s.api("GET /workspaces/{ws}/files/{id}", signedIn, s.apiFile)
	s.api("PATCH /workspaces/{ws}/files/{id}", signedIn, s.apiUpdateFile)
	s.api("DELETE /workspaces/{ws}/files/{id}", signedIn, s.apiRemoveFile)
	s.api("GET /workspaces/{ws}/files/{id}/content", signedIn, s.apiFileContent)
	s.api("POST /workspaces/{ws}/files/{id}/versions", signedIn, s.apiUploadVersion)
}

// decideRoutes: deciding together — proposals and votes in a workspace or
// city-wide, and participatory budgets. Who may see, comment, vote or
// manage depends on the decision (its workspace's circles, or the city's
// stewards), which the decide service checks; the router checks only
// whether someone is signed in.
func (s *Server) decideRoutes() {
	s.handle("GET /decisions", anyone, s.decisionsIndex)
	s.handle("GET /decisions/new", signedIn, s.newDecisionForm)
	s.handle("POST /decisions/new", signedIn, s.createDecision)
	s.handle("GET /workspaces/{ws}/decisions", anyone, s.workspaceDecisions)
	s.handle("GET /workspaces/{ws}/decisions/new", signedIn, s.newDecisionForm)
	s.handle("POST /workspaces/{ws}/decisions/new", signedIn, s.createDecision)
	s.handle("GET /decisions/{id}", anyone, s.decisionPage)
	s.handle("GET /decisions/{id}/edit", signedIn, s.editDecisionForm)
	s.handle("POST /decisions/{id}/edit", signedIn, s.updateDecision)
	s.handle("POST /decisions/{id}/{action}", signedIn, s.decisionAction)
	s.handle("GET /decisions/{id}/{file}", anyone, s.decisionFile)

	s.handle("GET /budgets/new", signedIn, s.newBudgetForm)
	s.handle("POST /budgets/new", signedIn, s.createBudget)
	s.handle("GET /workspaces/{ws}/budgets/new", signedIn, s.newBudgetForm)
	s.handle("POST /workspaces/{ws}/budgets/new", signedIn, s.createBudget)
	s.handle("GET /budgets/{id}", anyone, s.budgetPage)
	s.handle("GET /budgets/{id}/edit", signedIn, s.editBudgetForm)
	s.handle("POST /budgets/{id}/edit", signedIn, s.updateBudget)
	s.handle("GET /budgets/{id}/paper", signedIn, s.budgetPaperForm)
	s.handle("POST /budgets/{id}/{action}", signedIn, s.budgetAction)
	s.handle("GET /budgets/{id}/{file}", anyone, s.budgetFile)

	s.api("GET /decisions", anyone, s.apiDecisions)
	s.api("POST /decisions", signedIn, s.apiCreateDecision)
	s.api("GET /workspaces/{ws}/decisions", anyone, s.apiDecisions)
	s.api("POST /workspaces/{ws}/decisions", signedIn, s.apiCreateDecision)
	s.api("GET /decisions/{id}", anyone, s.apiDecision)
	s.api("PATCH /decisions/{id}", signedIn, s.apiUpdateDecision)
	s.api("POST /decisions/{id}/state", signedIn, s.apiDecisionState)
	s.api("POST /decisions/{id}/ballot", signedIn, s.apiVote)
	s.api("POST /decisions/{id}/comments", signedIn, s.apiComment)
	s.api("GET /decisions/{id}/results", anyone, s.apiDecisionResults)
	s.api("GET /decisions/{id}/ballots", anyone, s.decisionFile)
	s.api("GET /budgets", anyone, s.apiBudgets)
	s.api("GET /workspaces/{ws}/budgets", anyone, s.apiBudgets)
	s.api("GET /budgets/{id}", anyone, s.apiBudget)
	s.api("POST /budgets/{id}/projects", signedIn, s.apiPropose)
	s.api("POST /budgets/{id}/ballot", signedIn, s.apiVoteBudget)
	s.api("GET /budgets/{id}/results", anyone, s.apiBudgetResults)
	s.api("GET /budgets/{id}/ballots", anyone, s.budgetFile)

	s.handle("GET /campaigns", anyone, s.campaignsIndex)
	s.handle("GET /campaigns/{id}", anyone, s.campaignPage)
	s.handle("POST /campaigns/{id}/give", anyone, s.give)
	s.handle("GET /pools", anyone, s.poolsIndex)
	s.handle("GET /pools/new", stewards, s.poolNew)
	s.handle("POST /pools/new", stewards, s.createPool)
	s.handle("GET /pools/{id}", anyone, s.poolPage)
	s.handle("POST /pools/{id}/{action}", signedIn, s.poolAction)
	s.handle("GET /campaigns/{id}/edit", signedIn, s.editCampaignForm)
	s.handle("POST /campaigns/{id}/edit", signedIn, s.updateCampaign)
	s.handle("POST /campaigns/{id}/{action}", signedIn, s.campaignAction)
	s.handle("GET /workspaces/{ws}/campaigns", anyone, s.workspaceCampaigns)
	s.handle("GET /workspaces/{ws}/campaigns/new", signedIn, s.newCampaignForm)
	s.handle("POST /workspaces/{ws}/campaigns/new", signedIn, s.createCampaign)
	// The link in every update to backers; its POST is RFC 8058's
	// one-click too, let past the origin check in server.go.
	s.handle("GET /contributions/{id}/stop-updates", anyone, s.stopUpdates)
	s.handle("POST /contributions/{id}/stop-updates", anyone, s.stopUpdates)
	s.handle("GET /contributions/{id}", anyone, s.receipt)
	s.handle("POST /payments/mollie", anyone, s.mollieWebhook)
	s.handle("GET /ledger", anyone, s.cityLedger)
	s.handle("GET /ledger.csv", anyone, s.ledgerCSV)
	s.api("GET /ledger", anyone, s.apiCityLedger)
	s.api("GET /ledger.csv", anyone, s.ledgerCSV)
	s.api("GET /ledger/accounts", anyone, s.apiAccounts)
	s.api("GET /campaigns", anyone, s.apiCampaigns)
	s.api("GET /campaigns/{id}", anyone, s.apiCampaign)
	s.api("POST /campaigns/{id}/contributions", anyone, s.apiGive)
	s.api("POST /workspaces/{ws}/campaigns", signedIn, s.apiCreateCampaign)
	s.api("PUT /campaigns/{id}", signedIn, s.apiUpdateCampaign)
	s.api("POST /campaigns/{id}/launch", signedIn, s.apiLaunchCampaign)
	s.api("POST /campaigns/{id}/updates", signedIn, s.apiPostUpdate)
	s.api("GET /pools", anyone, s.apiPools)
	s.api("POST /pools", signedIn, s.apiCreatePool)
	s.api("GET /pools/{id}", anyone, s.apiPool)
	s.api("POST /pools/{id}/deposits", signedIn, s.apiDeposit)
	s.api("POST /pools/{id}/state", signedIn, s.apiPoolState)
	s.api("POST /pools/{id}/applications", signedIn, s.apiApply)
	s.api("POST /pools/{id}/budget-grants", signedIn, s.apiBudgetGrants)
	s.api("POST /applications/{id}/decision", signedIn, s.apiDecideApplication)
	s.api("GET /workspaces/{ws}/expenses", signedIn, s.apiExpenses)
	s.api("POST /workspaces/{ws}/expenses", signedIn, s.apiSubmitExpense)
	s.api("PUT /workspaces/{ws}/expense-approvals", signedIn, s.apiExpenseApprovals)
	s.api("GET /expenses/{id}", signedIn, s.apiExpense)
	s.api("DELETE /expenses/{id}", signedIn, s.apiDeleteExpense)
	s.api("POST /expenses/{id}/{action}", signedIn, s.apiExpenseAction)
	s.api("POST /expenses/{id}/files", signedIn, s.apiAddExpenseFiles)
	s.api("GET /expenses/{id}/files/{file}", signedIn, s.expenseFile)
	s.handle("GET /workspaces/{ws}/expenses", signedIn, s.workspaceExpenses)
	s.handle("POST /workspaces/{ws}/expenses", signedIn, s.submitExpense)
	s.handle("POST /workspaces/{ws}/expenses/approvals", signedIn, s.setExpenseApprovals)
	s.handle("GET /expenses/{id}", signedIn, s.expensePage)
	s.handle("POST /expenses/{id}/{action}", signedIn, s.expenseAction)
	s.handle("GET /expenses/{id}/files/{file}", signedIn, s.expenseFile)
	s.api("GET /funding/report", anyone, s.apiFundingReport)
	s.api("GET /funding/report.csv", anyone, s.apiFundingReport)
	s.handle("GET /bank", stewards, s.bankIndex)
	s.handle("POST /bank/statements", stewards, s.importStatementPage)
	s.handle("POST /bank/lines/{id}/{action}", stewards, s.bankLineAction)
	s.api("POST /bank/statements", stewards, s.apiImportStatement)
	s.api("GET /bank/lines", stewards, s.apiBankLines)
	s.api("POST /bank/lines/{id}/{action}", stewards, s.apiBankLineAction)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write([]byte("ok\n"))
	return err
}

// readyz says whether this process can serve: the map index is in step
// with the database (mapBehindLimit), and the database answers within
// two seconds. A load balancer takes a process that fails it out of rotation.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.db.Ping(ctx); err != nil {
		s.log.Warn("readiness: database unreachable", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, err := w.Write([]byte("database unreachable\n"))
		return err
	}
	if behind := s.atlas.MapBehind(); behind > mapBehindLimit {
		// The follower cannot reach the database, or is far behind: this
		// process would show an old map. Let the load balancer send
		// people to another until it has caught up.
		s.log.Warn("readiness: map index behind", "behind", behind)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, err := w.Write([]byte("map index catching up\n"))
		return err
	}
	_, err := w.Write([]byte("ready\n"))
	return err
}

// mapBehindLimit is how far the map index may fall behind the database
// (it syncs every second; a rebuild of millions of points takes seconds)
// before the process says it is not ready.
const mapBehindLimit = 30 * time.Second

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, "home", s.newPage(r, "home.title"))
	return nil
}

func (s *Server) apiPage(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, "api", s.newPage(r, "api.title"))
	return nil
}

// setLanguage is the language switch: it remembers the choice in a cookie and
// returns to the page the reader came from.
func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request) error {
	lang := r.URL.Query().Get("lang")
	if lang != "nl" && lang != "en" {
		return problemNotFound
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		SameSite: http.SameSiteLaxMode, Secure: s.base.Scheme == "https", HttpOnly: true})
	http.Redirect(w, r, local(r.URL.Query().Get("next")), http.StatusSeeOther)
	return nil
}
