package store

import (
	"errors"
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

// CreateAccessPoint stores ap (its Alias and Created are set by the
// caller). ErrAccessPointExists when the account has one of that name.
func (s *Store) CreateAccessPoint(ap AccessPoint) error {
	return errors.New("store: access points: not built yet")
}

// AccessPoint returns the account's access point of that name, or
// ErrNoSuchAccessPoint.
func (s *Store) AccessPoint(account, name string) (*AccessPoint, error) {
	return nil, ErrNoSuchAccessPoint
}

// AccessPointByAlias returns the access point whose alias is alias, or
// ErrNoSuchAccessPoint.
func (s *Store) AccessPointByAlias(alias string) (*AccessPoint, error) {
	return nil, ErrNoSuchAccessPoint
}

// AccessPoints lists the account's access points in name order, those of
// bucket only when bucket is not "", starting after the name after, at
// most max (0: all); next is the last name returned when more follow.
func (s *Store) AccessPoints(account, bucket, after string, max int) (aps []*AccessPoint, next string, err error) {
	return nil, "", nil
}

// DeleteAccessPoint removes the account's access point, or returns
// ErrNoSuchAccessPoint.
func (s *Store) DeleteAccessPoint(account, name string) error {
	return ErrNoSuchAccessPoint
}

// SetAccessPointPolicy replaces the access point's policy ("" removes it).
func (s *Store) SetAccessPointPolicy(account, name, policy string) error {
	return ErrNoSuchAccessPoint
}
