package emulator

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strings"

	"github.com/s3vpce/s3vpce/policy"
)

// The default credentials: one key pair for account 123456789012. They are
// printed by `s3vpce serve` and are valid only against the emulator.
const (
	DefaultAccessKeyID     = "AKIAS3VPCE0EXAMPLE01"
	DefaultSecretAccessKey = "s3vpceLocalSecretKeyDoNotUseOnAWS0000001"
	DefaultAccountID       = "123456789012"
	DefaultPrincipalARN    = "arn:aws:iam::123456789012:user/s3vpce"
)

// Credential is an access key pair and the IAM principal it signs as.
type Credential struct {
	AccessKeyID     string
	SecretAccessKey string
	// AccountID is the principal's account; derived from ARN when empty.
	AccountID string
	// ARN is an IAM user or role ARN ("arn:aws:iam::111122223333:user/alice",
	// "arn:aws:iam::111122223333:role/app"); a role key signs as an
	// assumed-role session of that role.
	ARN string
}

// DefaultCredential is the key pair used when Options.Credentials is empty.
func DefaultCredential() Credential {
	return Credential{AccessKeyID: DefaultAccessKeyID, SecretAccessKey: DefaultSecretAccessKey, AccountID: DefaultAccountID, ARN: DefaultPrincipalARN}
}

// credentialSet maps access key IDs to credentials and their principals.
type credentialSet map[string]credEntry

type credEntry struct {
	secret    string
	principal policy.Principal
}

func newCredentialSet(creds []Credential) (credentialSet, error) {
	if len(creds) == 0 {
		creds = []Credential{DefaultCredential()}
	}
	set := credentialSet{}
	for i, c := range creds {
		if c.AccessKeyID == "" || c.SecretAccessKey == "" {
			return nil, fmt.Errorf("emulator: credential %d: access key ID and secret are required", i)
		}
		if _, dup := set[c.AccessKeyID]; dup {
			return nil, fmt.Errorf("emulator: credential %d: access key ID %s listed twice", i, c.AccessKeyID)
		}
		p, err := principalFor(c)
		if err != nil {
			return nil, fmt.Errorf("emulator: credential %d (%s): %w", i, c.AccessKeyID, err)
		}
		set[c.AccessKeyID] = credEntry{secret: c.SecretAccessKey, principal: p}
	}
	return set, nil
}

// principalFor derives the principal a key signs as, with the values of
// aws:userid and aws:username AWS would supply.
func principalFor(c Credential) (policy.Principal, error) {
	parts := strings.SplitN(c.ARN, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || len(parts[4]) != 12 {
		return policy.Principal{}, fmt.Errorf("ARN %q is not an IAM user or role ARN like arn:aws:iam::123456789012:user/name", c.ARN)
	}
	account := parts[4]
	if c.AccountID != "" && c.AccountID != account {
		return policy.Principal{}, fmt.Errorf("account %s does not match the ARN's %s", c.AccountID, account)
	}
	typ, path, _ := strings.Cut(parts[5], "/")
	name := path[strings.LastIndexByte(path, '/')+1:]
	if name == "" {
		return policy.Principal{}, fmt.Errorf("ARN %q has no name", c.ARN)
	}
	switch typ {
	case "user":
		return policy.Principal{ARN: c.ARN, Account: account, UserID: uniqueID("AIDA", c.ARN), Username: name}, nil
	case "role":
		session := "s3vpce"
		return policy.Principal{
			ARN:     "arn:" + parts[1] + ":sts::" + account + ":assumed-role/" + name + "/" + session,
			Account: account, RoleARN: c.ARN, UserID: uniqueID("AROA", c.ARN) + ":" + session,
		}, nil
	}
	return policy.Principal{}, fmt.Errorf("ARN %q is neither a user nor a role", c.ARN)
}

// uniqueID makes a stable IAM-style unique ID (AIDA…/AROA…) for an ARN.
func uniqueID(prefix, arn string) string {
	sum := sha256.Sum256([]byte(arn))
	return prefix + base32.StdEncoding.EncodeToString(sum[:])[:17]
}
