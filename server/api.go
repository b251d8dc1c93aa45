package server

import (
	"net/http"

	"github.com/gatehouse-id/gatehouse/server/cognitoapi"
)

// mountAPI serves the Cognito JSON API at POST / (and its CORS preflight).
func (s *Server) mountAPI(mux *http.ServeMux) {
	api := cognitoapi.New(cognitoapi.Config{
		Credentials: cognitoapi.Credentials{AccessKeyID: s.AdminKeyID, SecretAccessKey: s.AdminSecret},
		Logger:      s.cfg.Logger, Now: s.cfg.Now,
		Dir: s.Dir, Engine: s.Engine, Minter: s.Minter, AccountID: s.cfg.AccountID, Region: s.cfg.Region,
		PublicHost: s.publicHost(),
	})
	root := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
	mux.Handle("POST /", root)
	mux.Handle("OPTIONS /", root)
}
