package store

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Access point errors.
var (
	// ErrNoSuchAccessPoint is returned for an access point that does not
	// exist (S3 Control's NoSuchAccessPoint).
	ErrNoSuchAccessPoint = errors.New("store: no such access point")
	// ErrAccessPointExists is returned by CreateAccessPoint for a name the
	// account already has (AccessPointAlreadyOwnedByYou).
	ErrAccessPointExists = errors.New("store: access point exists")
)

// AccessPoint is an S3 access point: a named way into one bucket, with its
// own policy and, when VPCID is set, usable only from that VPC.
type AccessPoint struct {
	// Name is unique per account and region (3–50 lower-case letters,
	// digits and hyphens).
	Name string `json:"name"`
	// Account owns the access point (12 digits).
	Account string `json:"account"`
	Region  string `json:"region"`
	Bucket  string `json:"bucket"`
	// BucketAccount owns the bucket (the same as Account unless the access
	// point is cross-account).
	BucketAccount string `json:"bucket_account"`
	// VPCID restricts the access point to requests from that VPC
	// (NetworkOrigin VPC); "" is NetworkOrigin Internet.
	VPCID string `json:"vpc_id,omitempty"`
	// Alias is "<name>-<random>-s3alias", usable as a bucket name.
	Alias string `json:"alias"`
	// The access point's public access block.
	BlockPublicAcls       bool `json:"block_public_acls"`
	IgnorePublicAcls      bool `json:"ignore_public_acls"`
	BlockPublicPolicy     bool `json:"block_public_policy"`
	RestrictPublicBuckets bool `json:"restrict_public_buckets"`
	// Policy is the access point policy (JSON); "" for none.
	Policy  string    `json:"policy,omitempty"`
	Created time.Time `json:"created"`
}

// apKey is an access point's key in tableAccessPoints: account 0 name.
func apKey(account, name string) []byte {
	return append(append([]byte(account), 0), name...)
}

// validAPField reports whether s can be part of a key: not empty, no 0 byte.
func validAPField(s string) bool { return s != "" && strings.IndexByte(s, 0) < 0 }

func decodeAccessPoint(b []byte) (*AccessPoint, error) {
	var ap AccessPoint
	if err := decodeStrict(b, &ap); err != nil {
		return nil, err
	}
	if !validAPField(ap.Name) || !validAPField(ap.Account) {
		return nil, fmt.Errorf("access point record without a valid name and account (%q, %q)", ap.Name, ap.Account)
	}
	return &ap, nil
}

func (s *Store) getAccessPoint(t kvTx, account, name string) (*AccessPoint, error) {
	k := apKey(account, name)
	raw := t.get(tableAccessPoints, k)
	if raw == nil {
		return nil, fmt.Errorf("%w: %q (account %s)", ErrNoSuchAccessPoint, name, account)
	}
	ap, err := decodeAccessPoint(raw)
	if err != nil {
		return nil, s.corrupt("access point", k, err)
	}
	return ap, nil
}

// CreateAccessPoint stores ap (its Alias and Created are set by the
// caller). ErrAccessPointExists when the account has one of that name (or
// an access point has that alias); ErrNoSuchBucket when ap.Bucket does not
// exist.
func (s *Store) CreateAccessPoint(ap AccessPoint) error {
	if !validAPField(ap.Name) || !validAPField(ap.Account) || !validAPField(ap.Alias) {
		return fmt.Errorf("store: invalid access point (name %q, account %q, alias %q)", ap.Name, ap.Account, ap.Alias)
	}
	return s.kv.update(func(t kvTx) error {
		if t.get(tableBuckets, []byte(ap.Bucket)) == nil {
			return fmt.Errorf("store: access point %q: %w: %q", ap.Name, ErrNoSuchBucket, ap.Bucket)
		}
		k := apKey(ap.Account, ap.Name)
		if t.get(tableAccessPoints, k) != nil {
			return fmt.Errorf("%w: %q (account %s)", ErrAccessPointExists, ap.Name, ap.Account)
		}
		if t.get(tableAPAliases, []byte(ap.Alias)) != nil {
			return fmt.Errorf("%w: alias %q is taken", ErrAccessPointExists, ap.Alias)
		}
		if err := putRecord(t, tableAccessPoints, k, &ap); err != nil {
			return err
		}
		return t.put(tableAPAliases, []byte(ap.Alias), k)
	})
}

// AccessPoint returns the account's access point of that name, or
// ErrNoSuchAccessPoint.
func (s *Store) AccessPoint(account, name string) (*AccessPoint, error) {
	key := string(apKey(account, name))
	ap, gen := s.aps.get(key)
	if ap != nil {
		return ap, nil
	}
	err := s.kv.view(func(t kvTx) error {
		var err error
		ap, err = s.getAccessPoint(t, account, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.aps.put(key, ap, gen)
	return ap, nil
}

// AccessPointByAlias returns the access point whose alias is alias, or
// ErrNoSuchAccessPoint.
func (s *Store) AccessPointByAlias(alias string) (*AccessPoint, error) {
	var ap *AccessPoint
	err := s.kv.view(func(t kvTx) error {
		k := t.get(tableAPAliases, []byte(alias))
		if k == nil {
			return fmt.Errorf("%w: alias %q", ErrNoSuchAccessPoint, alias)
		}
		account, name, ok := bytes.Cut(k, []byte{0})
		if !ok {
			return s.corrupt("access point alias", []byte(alias), fmt.Errorf("target %q is not account 0 name", k))
		}
		var err error
		ap, err = s.getAccessPoint(t, string(account), string(name))
		if errors.Is(err, ErrNoSuchAccessPoint) {
			return s.corrupt("access point alias", []byte(alias), err)
		}
		return err
	})
	return ap, err
}

// AccessPoints lists the account's access points in name order, those of
// bucket only when bucket is not "", starting after the name after, at
// most max (0: all); next is the last name returned when more follow.
func (s *Store) AccessPoints(account, bucket, after string, max int) (aps []*AccessPoint, next string, err error) {
	prefix := append([]byte(account), 0)
	start := prefix
	if after != "" {
		// The smallest key after account 0 after.
		start = append(apKey(account, after), 0)
	}
	err = s.kv.view(func(t kvTx) error {
		aps, next = nil, ""
		var derr error
		err := t.seek(tableAccessPoints, start, func(k, v []byte) bool {
			if !bytes.HasPrefix(k, prefix) {
				return false
			}
			ap, err := decodeAccessPoint(v)
			if err != nil {
				derr = s.corrupt("access point", k, err)
				return false
			}
			if bucket != "" && ap.Bucket != bucket {
				return true
			}
			if max > 0 && len(aps) == max {
				next = aps[len(aps)-1].Name
				return false
			}
			aps = append(aps, ap)
			return true
		})
		return errors.Join(err, derr)
	})
	if err != nil {
		return nil, "", err
	}
	return aps, next, nil
}

// DeleteAccessPoint removes the account's access point, or returns
// ErrNoSuchAccessPoint.
func (s *Store) DeleteAccessPoint(account, name string) error {
	defer s.aps.invalidate(string(apKey(account, name)))
	return s.kv.update(func(t kvTx) error {
		ap, err := s.getAccessPoint(t, account, name)
		if err != nil {
			return err
		}
		if err := t.del(tableAPAliases, []byte(ap.Alias)); err != nil {
			return err
		}
		return t.del(tableAccessPoints, apKey(account, name))
	})
}

// SetAccessPointPolicy replaces the access point's policy ("" removes it).
func (s *Store) SetAccessPointPolicy(account, name, policy string) error {
	defer s.aps.invalidate(string(apKey(account, name)))
	return s.kv.update(func(t kvTx) error {
		ap, err := s.getAccessPoint(t, account, name)
		if err != nil {
			return err
		}
		ap.Policy = policy
		return putRecord(t, tableAccessPoints, apKey(account, name), ap)
	})
}
