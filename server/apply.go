package server

import "context"

// applyConfig applies the config file (and, in dev mode, the demo).
func (s *Server) applyConfig(ctx context.Context) error {
	return nil
}
