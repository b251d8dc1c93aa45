package main

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/aws/smithy-go"
)

func TestErrorKind(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("InitiateAuth: %w", &smithy.GenericAPIError{Code: "TooManyRequestsException"}), "TooManyRequestsException"},
		{fmt.Errorf("post: %w", io.ErrUnexpectedEOF), "connection closed"},
		{fmt.Errorf("GET /oauth2/userInfo: HTTP 503: busy"), "HTTP 503"},
		{context.Canceled, "other"},
	} {
		if got := errorKind(tt.err); got != tt.want {
			t.Errorf("errorKind(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
