package web

import "net/http"

// Participatory budgets: the pages of a budget (helper W2 fills these in).

func (s *Server) newBudgetForm(w http.ResponseWriter, r *http.Request) error  { return problemNotFound }
func (s *Server) createBudget(w http.ResponseWriter, r *http.Request) error   { return problemNotFound }
func (s *Server) budgetPage(w http.ResponseWriter, r *http.Request) error     { return problemNotFound }
func (s *Server) editBudgetForm(w http.ResponseWriter, r *http.Request) error { return problemNotFound }
func (s *Server) updateBudget(w http.ResponseWriter, r *http.Request) error   { return problemNotFound }
func (s *Server) budgetPaperForm(w http.ResponseWriter, r *http.Request) error {
	return problemNotFound
}
func (s *Server) budgetAction(w http.ResponseWriter, r *http.Request) error { return problemNotFound }
