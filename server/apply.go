package server

import (
	"context"
	"fmt"

	"github.com/gatehouse-id/gatehouse/server/config"
)

// applyConfig applies the config file (users too in dev mode) and, in dev
// mode, the demo. A bad file stops the start with its line and reason.
func (s *Server) applyConfig(ctx context.Context) error {
	if s.cfg.ConfigFile != "" {
		f, err := config.Load(s.cfg.ConfigFile)
		if err != nil {
			return err
		}
		res, err := config.Apply(ctx, s.Dir, f, config.ApplyOptions{Users: s.cfg.Dev})
		if err != nil {
			return fmt.Errorf("%s: %w", s.cfg.ConfigFile, err)
		}
		s.cfg.Logger.Info("config applied", "file", s.cfg.ConfigFile, "result", res)
	}
	if s.cfg.Dev {
		if err := s.seedDemo(ctx); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}
	return nil
}
