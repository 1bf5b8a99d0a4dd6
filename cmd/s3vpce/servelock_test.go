package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLISecondServeRefusedAndEnv: while a serve runs, a second serve on
// the same home refuses before it prints or listens anything, naming the
// home and the first one's PID; "s3vpce env" prints that serve's endpoint
// URL and port. Once it exits, env falls back to the defaults with a note
// and the home can be served again.
func TestCLISecondServeRefusedAndEnv(t *testing.T) {
	home := filepath.Join(t.TempDir(), "state")
	t.Setenv("S3VPCE_HOME", t.TempDir()) // not home: --home must be honoured
	ctx, cancel := context.WithCancel(t.Context())
	var out syncBuffer
	errb := syncBuffer{marker: "msg=ready", seen: make(chan struct{})}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"--home", home, "serve", "--https-addr", "127.0.0.1:0", "--dns-addr", "off"}, nil, &out, &errb)
	}()
	select {
	case <-errb.seen:
	case code := <-done:
		t.Fatalf("serve exited %d before logging ready: %s", code, errb.String())
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("first serve exited %d: %s", code, errb.String())
			}
		}
	}
	t.Cleanup(stop)

	t.Run("second serve refuses", func(t *testing.T) {
		var o, e bytes.Buffer
		code := run(t.Context(), []string{"serve", "--home", home, "--https-addr", "127.0.0.1:0", "--dns-addr", "off"}, nil, &o, &e)
		want := fmt.Sprintf("s3vpce serve: another s3vpce serve (PID %d) is running with state directory %s: stop it first, or give this one its own --home DIR\n", os.Getpid(), home)
		if code != 1 || o.Len() != 0 || e.String() != want {
			t.Errorf("exit %d, stdout %q, stderr %q; want 1, nothing, %q", code, o.String(), e.String(), want)
		}
	})

	st, ok := readServeState(home)
	if !ok || st.HTTPS == "" {
		t.Fatalf("state of the running serve: %+v, %v", st, ok)
	}
	_, port, _ := strings.Cut(st.HTTPS, ":")
	t.Run("env of the running serve", func(t *testing.T) {
		var o, e bytes.Buffer
		if code := run(t.Context(), []string{"env", "--home", home}, nil, &o, &e); code != 0 || e.Len() != 0 {
			t.Fatalf("exit %d, stderr %q", code, e.String())
		}
		for _, want := range []string{
			"export AWS_ENDPOINT_URL_S3=https://bucket." + regionalName + ":" + port + "\n",
			"export AWS_CA_BUNDLE=" + filepath.Join(home, "rootCA.pem") + "\n",
			"export AWS_ACCESS_KEY_ID=AKIAS3VPCE0EXAMPLE01\n",
			"export AWS_SECRET_ACCESS_KEY=",
			"export AWS_DEFAULT_REGION=us-east-1\n",
			"# bucket." + regionalName + " must resolve to the emulator",
		} {
			if !strings.Contains(o.String(), want) {
				t.Errorf("env output lacks %q:\n%s", want, o.String())
			}
		}
		if !strings.Contains(out.String(), `eval "$(s3vpce env --home `+home+`)"`) {
			t.Errorf("banner does not show the env line with --home:\n%s", out.String())
		}
	})

	stop()
	t.Run("env without a serve", func(t *testing.T) {
		var o, e bytes.Buffer
		if code := run(t.Context(), []string{"--home", home, "env"}, nil, &o, &e); code != 0 {
			t.Fatalf("exit %d, stderr %q", code, e.String())
		}
		if !strings.Contains(o.String(), "export AWS_ENDPOINT_URL_S3=https://bucket."+regionalName+":4443\n") {
			t.Errorf("env output lacks the default endpoint URL:\n%s", o.String())
		}
		if want := "no s3vpce serve is running with state directory " + home; !strings.Contains(e.String(), want) {
			t.Errorf("stderr %q lacks %q", e.String(), want)
		}
	})
	t.Run("home is free again", func(t *testing.T) {
		l, err := lockHome(home)
		if err != nil {
			t.Fatal(err)
		}
		l.Close()
	})
}
