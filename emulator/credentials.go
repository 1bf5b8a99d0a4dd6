package emulator

// The default credentials: one key pair for account 123456789012. They are
// printed by `s3vpce serve` and are valid only against the emulator.
const (
	DefaultAccessKeyID     = "AKIAS3VPCE0EXAMPLE01"
	DefaultSecretAccessKey = "s3vpceLocalSecretKeyDoNotUseOnAWS0000001"
	DefaultAccountID       = "123456789012"
	DefaultPrincipalARN    = "arn:aws:iam::123456789012:user/s3vpce"
)
