package s3api

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/s3vpce/s3vpce/internal/store"
)

// LifecycleResult counts what one lifecycle pass did.
type LifecycleResult struct {
	// Expired counts current versions expired: removed in an unversioned
	// bucket, hidden behind a new delete marker in a versioned one.
	Expired int
	// NoncurrentRemoved counts noncurrent versions (and noncurrent delete
	// markers) removed.
	NoncurrentRemoved int
	// MarkersRemoved counts expired object delete markers removed.
	MarkersRemoved int
	// UploadsAborted counts incomplete multipart uploads aborted.
	UploadsAborted int
}

// errLifecycleRaced aborts an expiration whose version stopped being the
// one the pass looked at.
var errLifecycleRaced = errors.New("s3api: lifecycle: the key changed during the pass")

// errLifecycleLocked keeps a version object lock protects from expiring.
var errLifecycleLocked = errors.New("s3api: lifecycle: the version is locked")

// RunLifecycle applies every bucket's enabled lifecycle rules once, as of
// now, with a day of length day (S3's is 24 hours): the expiration of
// current versions (Expiration Days or Date), of noncurrent versions
// (NoncurrentVersionExpiration), of expired object delete markers, and
// the abort of incomplete multipart uploads (AbortIncompleteMultipartUpload).
//
// Ages are computed as S3 computes them: a time plus N days, rounded up to
// the next day boundary (midnight UTC for a 24-hour day; with a shorter
// day, the next multiple of day since the Unix epoch). A version's
// noncurrent age starts when the next newer version was written.
// Transitions are not applied (s3vpce has one storage class).
func (h *Handler) RunLifecycle(ctx context.Context, now time.Time, day time.Duration) (LifecycleResult, error) {
	var res LifecycleResult
	if day <= 0 {
		return res, fmt.Errorf("s3api: lifecycle: day %v is not positive", day)
	}
	buckets, err := h.store.Buckets()
	if err != nil {
		return res, fmt.Errorf("s3api: lifecycle: %w", err)
	}
	var errs []error
	for _, b := range buckets {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		c, err := lifecycleOf(b)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if c == nil {
			continue
		}
		p := lcPass{h: h, b: b, rules: c.enabledRules(), now: now, day: day, res: &res}
		if err := p.run(ctx); err != nil && !errors.Is(err, store.ErrNoSuchBucket) {
			errs = append(errs, fmt.Errorf("s3api: lifecycle: bucket %s: %w", b.Name, err))
		}
	}
	return res, errors.Join(errs...)
}

func (c *lifecycleConfiguration) enabledRules() []*lifecycleRule {
	var out []*lifecycleRule
	for i := range c.Rules {
		if c.Rules[i].enabled() {
			out = append(out, &c.Rules[i])
		}
	}
	return out
}

// lcPass is one bucket's lifecycle pass.
type lcPass struct {
	h     *Handler
	b     *store.Bucket
	rules []*lifecycleRule
	now   time.Time
	day   time.Duration
	res   *LifecycleResult
}

func (p *lcPass) run(ctx context.Context) error {
	// The versions of one key arrive together, newest first.
	var key string
	var versions []*store.Version
	var errs []error
	flush := func() {
		if len(versions) > 0 {
			if err := p.key(versions); err != nil {
				errs = append(errs, err)
			}
		}
		versions = nil
	}
	err := p.h.store.ListVersions(p.b.Name, "", "", "", func(v *store.Version) bool {
		if ctx.Err() != nil {
			return false
		}
		if v.Key != key {
			flush()
			key = v.Key
		}
		versions = append(versions, v)
		return true
	})
	flush()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := p.uploads(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// due reports whether an age that started at since has reached days days.
func (p *lcPass) due(since time.Time, days int) bool {
	return !ceilDay(since.Add(time.Duration(days)*p.day), p.day).After(p.now)
}

// key applies the rules to the versions of one key, newest first.
func (p *lcPass) key(versions []*store.Version) error {
	bucket, key := p.b.Name, versions[0].Key
	cur := versions[0]
	// Noncurrent versions: versions[i] became noncurrent when versions[i-1]
	// was written.
	kept := []*store.Version{cur}
	for i := 1; i < len(versions); i++ {
		v := versions[i]
		if p.noncurrentExpired(v, versions[i-1].LastModified, i-1) {
			// Object lock binds lifecycle too: a version under retention or
			// legal hold stays (S3 expires it once the lock has passed).
			_, err := p.h.store.DeleteVersion(bucket, key, v.VersionID, func(v *store.Version) error {
				if lockHolds(v, p.now, false) {
					return errLifecycleLocked
				}
				return nil
			})
			switch {
			case err == nil:
				p.res.NoncurrentRemoved++
				continue
			case errors.Is(err, errLifecycleLocked):
			case errors.Is(err, store.ErrNoSuchVersion):
				continue
			default:
				return err
			}
		}
		kept = append(kept, v)
	}
	if cur.DeleteMarker {
		if len(kept) == 1 && p.markerExpired(cur) {
			_, err := p.h.store.DeleteObject(bucket, key, cur.VersionID, sameCurrent(cur.VersionID))
			switch {
			case err == nil:
				p.res.MarkersRemoved++
			case errors.Is(err, errLifecycleRaced), errors.Is(err, store.ErrNoSuchVersion):
			default:
				return err
			}
		}
		return nil
	}
	for _, r := range p.rules {
		at := r.expiryOf(cur.LastModified, p.day)
		if at.IsZero() || at.After(p.now) || !r.matches(key, cur.Size, cur.Tags) {
			continue
		}
		_, err := p.h.store.DeleteObject(bucket, key, "", sameCurrent(cur.VersionID))
		switch {
		case err == nil:
			p.res.Expired++
		case errors.Is(err, errLifecycleRaced):
		default:
			return err
		}
		return nil
	}
	return nil
}

// sameCurrent is a delete's check that the key's current version is
// still versionID.
func sameCurrent(versionID string) func(*store.Version) error {
	return func(cur *store.Version) error {
		if cur == nil || cur.VersionID != versionID {
			return errLifecycleRaced
		}
		return nil
	}
}

// noncurrentExpired reports whether a rule expires noncurrent version v,
// noncurrent since since, with newer noncurrent versions newer of its key.
func (p *lcPass) noncurrentExpired(v *store.Version, since time.Time, newer int) bool {
	for _, r := range p.rules {
		n := r.NoncurrentVersionExpiration
		if n == nil || !r.matches(v.Key, v.Size, v.Tags) {
			continue
		}
		if n.NewerNoncurrentVersions != nil && newer < *n.NewerNoncurrentVersions {
			continue
		}
		if n.NoncurrentDays == nil || p.due(since, *n.NoncurrentDays) {
			return true
		}
	}
	return false
}

// markerExpired reports whether a rule removes a delete marker that is
// its key's only version: one with ExpiredObjectDeleteMarker, or one that
// expires current versions by age once the marker has that age.
func (p *lcPass) markerExpired(dm *store.Version) bool {
	for _, r := range p.rules {
		e := r.Expiration
		if e == nil || !r.matches(dm.Key, 0, nil) {
			continue
		}
		if e.ExpiredObjectDeleteMarker != nil && *e.ExpiredObjectDeleteMarker {
			return true
		}
		if e.Days != nil && p.due(dm.LastModified, *e.Days) {
			return true
		}
	}
	return false
}

// uploads aborts the bucket's incomplete multipart uploads a rule's
// AbortIncompleteMultipartUpload has expired.
func (p *lcPass) uploads() error {
	any := false
	for _, r := range p.rules {
		any = any || r.AbortIncompleteMultipartUpload != nil
	}
	if !any {
		return nil
	}
	ups, err := p.h.store.Uploads(p.b.Name, "")
	if err != nil {
		return err
	}
	for _, u := range ups {
		for _, r := range p.rules {
			a := r.AbortIncompleteMultipartUpload
			if a == nil || a.DaysAfterInitiation == nil || !r.matchesUpload(u.Key) || !p.due(u.Initiated, *a.DaysAfterInitiation) {
				continue
			}
			err := p.h.store.AbortUpload(p.b.Name, u.Key, u.ID)
			if err != nil && !errors.Is(err, store.ErrNoSuchUpload) {
				return err
			}
			if err == nil {
				p.res.UploadsAborted++
			}
			break
		}
	}
	return nil
}
