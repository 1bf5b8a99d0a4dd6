package s3err

import (
	"context"
	"testing"
)

func TestRequestIDFromContext(t *testing.T) {
	both := [2]string{"0123456789ABCDEF", "host-id"}
	tests := []struct {
		name      string
		ctx       context.Context
		req, host string
	}{
		{"WithRequestID", WithRequestID(context.Background(), "0123456789ABCDEF", "host-id"), "0123456789ABCDEF", "host-id"},
		{"WithRequestIDs", WithRequestIDs(context.Background(), &both), "0123456789ABCDEF", "host-id"},
		{"none", context.Background(), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if req, host := RequestID(tt.ctx); req != tt.req || host != tt.host {
				t.Errorf("RequestID = %q, %q; want %q, %q", req, host, tt.req, tt.host)
			}
		})
	}
}
