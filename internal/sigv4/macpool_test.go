package sigv4

import (
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/s3vpce/s3vpce/internal/s3err"
)

// TestVerifierMACPerKey: a Verifier keeps an HMAC state per signing key;
// it must never answer for one key with another's, whatever the order,
// however many keys, and from concurrent requests.
func TestVerifierMACPerKey(t *testing.T) {
	const otherSecret = "s3vpceLocalSecretKeyDoNotUseOnAWS0000002"
	r := signed(t, "PUT", "/b/k?x-id=PutObject", UnsignedPayload, map[string]string{"Content-Type": "text/plain"}, now, "us-east-1")
	a, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	good := SigningKey(secret, a.Date, a.Region, a.Service)
	other := SigningKey(otherSecret, a.Date, a.Region, a.Service)
	check := func(t *testing.T, v *Verifier, key []byte, wantOK bool) {
		t.Helper()
		err := v.Verify(a, r, key)
		var e *s3err.Error
		switch {
		case wantOK && err != nil:
			t.Fatalf("Verify with the signing secret's key: %v", err)
		case !wantOK && (!errors.As(err, &e) || e.Code != "SignatureDoesNotMatch"):
			t.Fatalf("Verify with another secret's key = %v, want SignatureDoesNotMatch", err)
		}
	}
	t.Run("alternating keys", func(t *testing.T) {
		var v Verifier
		for range 3 {
			check(t, &v, good, true)
			check(t, &v, other, false)
		}
	})
	t.Run("other key first", func(t *testing.T) {
		var v Verifier
		check(t, &v, other, false)
		check(t, &v, good, true)
	})
	t.Run("more keys than the cache holds", func(t *testing.T) {
		var v Verifier
		check(t, &v, good, true)
		for i := range maxMACKeys + 1 {
			k := SigningKey(otherSecret, a.Date, a.Region, "s"+strconv.Itoa(i))
			check(t, &v, k, false)
		}
		check(t, &v, good, true)
		check(t, &v, other, false)
	})
	t.Run("key of another length", func(t *testing.T) {
		var v Verifier
		check(t, &v, good[:16], false)
		check(t, &v, good, true)
	})
	t.Run("concurrent", func(t *testing.T) {
		var v Verifier
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for i := range 8 {
			wg.Go(func() {
				for range 50 {
					key, wantOK := good, true
					if i%2 == 1 {
						key, wantOK = other, false
					}
					if err := v.Verify(a, r, key); (err == nil) != wantOK {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("concurrent Verify answered for the wrong key (err %v)", err)
		}
	})
}
