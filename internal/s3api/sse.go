package s3api

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// Server-side encryption as S3 reports and enforces it. s3vpce does not
// encrypt bodies at rest (docs/s3-sse.md): the encryption of each version
// and multipart upload is state kept in its ObjectMeta — the response
// headers in Headers, a salted hash of an SSE-C key in Extra — validated
// on write, reported on every response, and, for SSE-C, enforced on every
// read: the object answers only to its key.

// Request and response headers of server-side encryption, canonical.
const (
	hdrSSE           = "X-Amz-Server-Side-Encryption"
	hdrSSEKMSKeyID   = "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id"
	hdrSSEContext    = "X-Amz-Server-Side-Encryption-Context"
	hdrSSEBucketKey  = "X-Amz-Server-Side-Encryption-Bucket-Key-Enabled"
	hdrSSECAlgorithm = "X-Amz-Server-Side-Encryption-Customer-Algorithm"
	hdrSSECKey       = "X-Amz-Server-Side-Encryption-Customer-Key"
	hdrSSECKeyMD5    = "X-Amz-Server-Side-Encryption-Customer-Key-Md5"
	// copySourcePrefix replaces "X-Amz-" in the SSE-C headers naming a
	// copy source's key (x-amz-copy-source-server-side-encryption-…).
	copySourcePrefix = "X-Amz-Copy-Source-"
)

// sseCHeader is the SSE-C header name for prefix "" (the request's own
// key) or copySourcePrefix (a copy source's).
func sseCHeader(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + strings.TrimPrefix(name, "X-Amz-")
}

// extraSSECustomerKey names, in ObjectMeta.Extra, the salt and HMAC-SHA256
// of an SSE-C key: enough to recognise the key, not to recover it.
const extraSSECustomerKey = "sseCustomerKey"

// sseStoredHeaders are the encryption headers kept in ObjectMeta.Headers.
var sseStoredHeaders = []string{hdrSSE, hdrSSEKMSKeyID, hdrSSEContext, hdrSSEBucketKey, hdrSSECAlgorithm, hdrSSECKeyMD5}

// customerKey is a validated SSE-C key from a request.
type customerKey struct {
	key []byte
	md5 string // base64, as sent
}

// customerKeySent reports whether a request sent any SSE-C header (with prefix ""
// or copySourcePrefix).
func customerKeySent(hdr http.Header, prefix string) bool {
	return reqHeader(hdr, sseCHeader(prefix, hdrSSECAlgorithm)) != "" || reqHeader(hdr, sseCHeader(prefix, hdrSSECKey)) != "" || reqHeader(hdr, sseCHeader(prefix, hdrSSECKeyMD5)) != ""
}

// readCustomerKey validates the SSE-C headers of a request (with prefix ""
// or copySourcePrefix) as S3 does: all three, algorithm AES256, a base64
// 256-bit key and the base64 MD5 of its bytes. ok is false when none was
// sent.
func readCustomerKey(hdr http.Header, prefix string) (k customerKey, ok bool, serr *s3err.Error) {
	if !customerKeySent(hdr, prefix) {
		return k, false, nil
	}
	algName := sseCHeader(prefix, hdrSSECAlgorithm)
	keyName := sseCHeader(prefix, hdrSSECKey)
	md5Name := sseCHeader(prefix, hdrSSECKeyMD5)
	alg, key, sum := reqHeader(hdr, algName), reqHeader(hdr, keyName), reqHeader(hdr, md5Name)
	algName, keyName, md5Name = strings.ToLower(algName), strings.ToLower(keyName), strings.ToLower(md5Name)
	switch {
	case alg == "":
		return k, true, errInvalidArgument("Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.", algName)
	case alg != "AES256":
		return k, true, errInvalidArgument("The encryption method specified is not supported", algName).With("ArgumentValue", alg)
	case key == "":
		return k, true, errInvalidArgument("Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.", keyName)
	}
	raw, err := base64.StdEncoding.DecodeString(key)
	if err != nil || len(raw) != 32 {
		return k, true, errInvalidArgument("The secret key was invalid for the specified algorithm.", keyName)
	}
	if sum == "" {
		return k, true, errInvalidArgument("Requests specifying Server Side Encryption with Customer provided keys must provide the object encryption key MD5.", md5Name)
	}
	want := md5.Sum(raw)
	if base64.StdEncoding.EncodeToString(want[:]) != sum {
		return k, true, errInvalidArgument("The calculated MD5 hash of the key did not match the hash that was provided.", md5Name)
	}
	return customerKey{key: raw, md5: sum}, true, nil
}

// hashCustomerKey is what the store keeps of an SSE-C key: a random salt
// and the HMAC-SHA256 of the key under it.
func hashCustomerKey(key []byte) []byte {
	salt := make([]byte, 16)
	rand.Read(salt)
	m := hmac.New(sha256.New, salt)
	m.Write(key)
	return append(salt, m.Sum(nil)...)
}

// customerKeyMatches reports whether key is the one meta was written with.
func customerKeyMatches(meta store.ObjectMeta, k customerKey) bool {
	stored := meta.Extra[extraSSECustomerKey]
	if len(stored) != 16+sha256.Size {
		// A version without the hash: the MD5 is all there is to compare.
		return meta.Headers[hdrSSECKeyMD5] == k.md5
	}
	m := hmac.New(sha256.New, stored[:16])
	m.Write(k.key)
	return hmac.Equal(m.Sum(nil), stored[16:])
}

// isCustomerEncrypted reports whether meta is SSE-C's.
func isCustomerEncrypted(meta store.ObjectMeta) bool {
	return meta.Headers[hdrSSECAlgorithm] != ""
}

// checkCustomerKey checks a request's SSE-C headers (with prefix "" or
// copySourcePrefix) against the version or upload meta it reads or adds a
// part to, with S3's errors: an SSE-C object needs its key (400 without,
// 403 with another — 400 for a part of an upload), any other refuses one.
func checkCustomerKey(hdr http.Header, prefix string, meta store.ObjectMeta, part bool) *s3err.Error {
	k, sent, serr := readCustomerKey(hdr, prefix)
	if serr != nil {
		return serr
	}
	switch {
	case !isCustomerEncrypted(meta) && sent:
		return s3err.New(http.StatusBadRequest, "InvalidRequest", "The encryption parameters are not applicable to this object.")
	case !isCustomerEncrypted(meta):
		return nil
	case !sent && part:
		return s3err.New(http.StatusBadRequest, "InvalidRequest", "The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.")
	case !sent:
		return s3err.New(http.StatusBadRequest, "InvalidRequest", "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.")
	case customerKeyMatches(meta, k):
		return nil
	case part:
		return s3err.New(http.StatusBadRequest, "InvalidRequest", "The provided encryption parameters did not match the ones used originally.")
	}
	return s3err.New(http.StatusForbidden, "AccessDenied", "Requests specifying Server Side Encryption with Customer provided keys must provide the correct secret key.")
}

// checkReadSSE checks a GetObject or HeadObject against the version it
// reads: S3 refuses x-amz-server-side-encryption on a read (the method is
// the object's, not the reader's), and SSE-C objects answer only to their
// key.
func checkReadSSE(hdr http.Header, v *store.Version) *s3err.Error {
	for _, name := range []string{hdrSSE, hdrSSEKMSKeyID} {
		if value := reqHeader(hdr, name); value != "" {
			return errInvalidArgument(strings.ToLower(name)+" header is not supported for this operation.", strings.ToLower(name)).With("ArgumentValue", value)
		}
	}
	return checkCustomerKey(hdr, "", v.ObjectMeta, false)
}

// sseSettings is the encryption a write asks for, resolved.
type sseSettings struct {
	algorithm string // AES256, aws:kms or aws:kms:dsse; "" for SSE-C
	kmsKeyARN string
	context   string // x-amz-server-side-encryption-context, base64 JSON
	bucketKey bool
	customer  *customerKey
}

// errKMSNotFound is the error S3 passes on from KMS for a key ID that is
// not a key ID, key ARN, alias name or alias ARN.
func errKMSNotFound(keyID string) *s3err.Error {
	return s3err.New(http.StatusBadRequest, "KMS.NotFoundException", "Invalid keyId "+keyID)
}

var (
	kmsKeyIDForm    = regexp.MustCompile(`^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})$`)
	kmsKeyARNForm   = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})$`)
	kmsAliasForm    = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]{1,250}$`)
	kmsAliasARNForm = regexp.MustCompile(`^arn:(aws[a-z-]*):kms:([a-z0-9-]+):([0-9]{12}):(alias/[a-zA-Z0-9/_-]{1,250})$`)
)

// awsManagedS3Alias is the alias of the AWS managed key S3 uses when
// aws:kms names no key.
const awsManagedS3Alias = "alias/aws/s3"

// kmsKeyARN resolves a key as S3 names it in x-amz-server-side-encryption-
// aws-kms-key-id — a key ID, key ARN, alias name or alias ARN; "" for the
// account's aws/s3 key — to the key ARN S3 reports. s3vpce has no KMS:
// every well-formed key exists, and an alias stands for a key whose ID is
// derived from the account, region and alias, so the same alias always
// reports the same key.
func kmsKeyARN(keyID, account, region string) (string, *s3err.Error) {
	arn := func(partition, region, account, id string) string {
		return "arn:" + partition + ":kms:" + region + ":" + account + ":key/" + id
	}
	switch {
	case keyID == "":
		return arn("aws", region, account, aliasKeyID(account, region, awsManagedS3Alias)), nil
	case kmsKeyIDForm.MatchString(keyID):
		return arn("aws", region, account, keyID), nil
	case kmsKeyARNForm.MatchString(keyID):
		return keyID, nil
	case kmsAliasForm.MatchString(keyID):
		return arn("aws", region, account, aliasKeyID(account, region, keyID)), nil
	}
	if m := kmsAliasARNForm.FindStringSubmatch(keyID); m != nil {
		return arn(m[1], m[2], m[3], aliasKeyID(m[3], m[2], m[4])), nil
	}
	return "", errKMSNotFound(keyID)
}

// aliasKeyID is the key ID an alias stands for: a UUID derived from the
// account, region and alias.
func aliasKeyID(account, region, alias string) string {
	sum := sha256.Sum256([]byte("s3vpce kms key\x00" + account + "\x00" + region + "\x00" + alias))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// validEncryptionContext reports whether v is what S3 accepts as
// x-amz-server-side-encryption-context: base64 of a JSON object of
// strings.
func validEncryptionContext(v string) bool {
	raw, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return false
	}
	var m map[string]string
	dec := json.NewDecoder(bytes.NewReader(raw))
	return dec.Decode(&m) == nil && m != nil
}

// bucketDefaultSSE is bucket b's default encryption (SSE-S3 when it has
// none of its own) and whether it enables S3 Bucket Keys; by value, so the
// usual bucket without a configuration costs no allocation.
func bucketDefaultSSE(b *store.Bucket) (d encryptionDefault, bucketKey bool, err error) {
	if _, ok := b.Config[configEncryption]; !ok {
		return encryptionDefault{SSEAlgorithm: "AES256"}, false, nil // defaultEncryption's
	}
	c := defaultEncryption()
	if _, _, err := readConfig(b, configEncryption, &c); err != nil {
		return encryptionDefault{}, false, err
	}
	rule := c.Rules[0:1]
	if len(c.Rules) == 0 || c.Rules[0].Default == nil {
		rule = defaultEncryption().Rules
	}
	return *rule[0].Default, rule[0].BucketKeyEnabled, nil
}

// writeSSE resolves the encryption a write to bucket b asks for with its
// x-amz-server-side-encryption* headers (PutObject, CopyObject's
// destination, CreateMultipartUpload), else the bucket's default, with
// S3's errors for what it refuses. KMS keys named by ID or alias are the
// bucket owner's (account's, for a bucket without a recorded owner).
func writeSSE(r *http.Request, b *store.Bucket, account string) (sseSettings, error) {
	hdr := r.Header
	sse := reqHeader(hdr, hdrSSE)
	keyID, hasKeyID := reqHeader(hdr, hdrSSEKMSKeyID), reqHeader(hdr, hdrSSEKMSKeyID) != ""
	context := reqHeader(hdr, hdrSSEContext)
	bucketKeyHdr := reqHeader(hdr, hdrSSEBucketKey)
	var s sseSettings
	if sse != "" && customerKeySent(hdr, "") {
		return s, errInvalidArgument("Server Side Encryption with Customer provided key is incompatible with the encryption method specified", strings.ToLower(hdrSSE)).With("ArgumentValue", sse)
	}
	switch sse {
	case "", "AES256", "aws:kms", "aws:kms:dsse":
	default:
		return s, errInvalidArgument("The encryption method specified is not supported", strings.ToLower(hdrSSE)).With("ArgumentValue", sse)
	}
	kms := strings.HasPrefix(sse, "aws:kms")
	if (hasKeyID || context != "") && !kms {
		name := hdrSSEKMSKeyID
		if !hasKeyID {
			name = hdrSSEContext
		}
		return s, errInvalidArgument("Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms", strings.ToLower(name))
	}
	if context != "" && !validEncryptionContext(context) {
		return s, errInvalidArgument("The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map", strings.ToLower(hdrSSEContext))
	}
	if bucketKeyHdr != "" && !strings.EqualFold(bucketKeyHdr, "true") && !strings.EqualFold(bucketKeyHdr, "false") {
		return s, errInvalidArgument("Invalid value for header x-amz-server-side-encryption-bucket-key-enabled", strings.ToLower(hdrSSEBucketKey)).With("ArgumentValue", bucketKeyHdr)
	}
	if customerKeySent(hdr, "") { // k is allocated only here
		k, _, serr := readCustomerKey(hdr, "")
		if serr != nil {
			return s, serr
		}
		s.customer = &k
		return s, nil
	}
	def, ruleBucketKey, err := bucketDefaultSSE(b)
	if err != nil {
		return s, err
	}
	s.algorithm, s.context = sse, context
	if sse == "" {
		s.algorithm = def.SSEAlgorithm
		keyID = def.KMSMasterKeyID
	}
	if !strings.HasPrefix(s.algorithm, "aws:kms") {
		return s, nil
	}
	if b.Owner != "" {
		account = b.Owner
	}
	var serr *s3err.Error
	if s.kmsKeyARN, serr = kmsKeyARN(keyID, account, bucketRegion(b, r)); serr != nil {
		return s, serr
	}
	// S3 Bucket Keys serve SSE-KMS, not DSSE-KMS; the request's header
	// wins over the bucket's setting.
	s.bucketKey = s.algorithm == "aws:kms" && ruleBucketKey
	if bucketKeyHdr != "" {
		s.bucketKey = s.algorithm == "aws:kms" && strings.EqualFold(bucketKeyHdr, "true")
	}
	return s, nil
}

// apply replaces meta's encryption with s.
func (s sseSettings) apply(meta *store.ObjectMeta) {
	for _, k := range sseStoredHeaders {
		delete(meta.Headers, k)
	}
	delete(meta.Extra, extraSSECustomerKey)
	if meta.Headers == nil {
		meta.Headers = map[string]string{}
	}
	if s.customer != nil {
		meta.Headers[hdrSSECAlgorithm] = "AES256"
		meta.Headers[hdrSSECKeyMD5] = s.customer.md5
		if meta.Extra == nil {
			meta.Extra = map[string][]byte{}
		}
		meta.Extra[extraSSECustomerKey] = hashCustomerKey(s.customer.key)
		return
	}
	meta.Headers[hdrSSE] = s.algorithm
	if s.kmsKeyARN != "" {
		meta.Headers[hdrSSEKMSKeyID] = s.kmsKeyARN
	}
	if s.context != "" {
		meta.Headers[hdrSSEContext] = s.context
	}
	if s.bucketKey {
		meta.Headers[hdrSSEBucketKey] = "true"
	}
}

// writeSSEHeaders sets the encryption headers S3 sends for a version or
// upload with meta: SSE-C's algorithm and key MD5, else the method (AES256
// when none was recorded: S3 encrypts every object), the KMS key ARN and
// the bucket key. withContext adds the encryption context, which S3
// returns on the responses of writes only.
func writeSSEHeaders(hdr http.Header, meta store.ObjectMeta, withContext bool) {
	if isCustomerEncrypted(meta) {
		hdr.Set(hdrSSECAlgorithm, meta.Headers[hdrSSECAlgorithm])
		hdr.Set(hdrSSECKeyMD5, meta.Headers[hdrSSECKeyMD5])
		return
	}
	hdr.Set(hdrSSE, sseOf(meta.Headers))
	for _, k := range []string{hdrSSEKMSKeyID, hdrSSEBucketKey} {
		if v := meta.Headers[k]; v != "" {
			hdr.Set(k, v)
		}
	}
	if v := meta.Headers[hdrSSEContext]; v != "" && withContext {
		hdr.Set(hdrSSEContext, v)
	}
}

// validateEncryptionConfig applies S3's rules to a PutBucketEncryption
// document with one rule: a known algorithm (else the document does not
// validate against S3's schema), and a KMS key only for the KMS ones. The
// key itself is resolved on each write, as S3 does (kmsKeyARN).
func validateEncryptionConfig(c *encryptionConfiguration) *s3err.Error {
	d := c.Rules[0].Default
	switch d.SSEAlgorithm {
	case "AES256":
		if d.KMSMasterKeyID != "" {
			return errInvalidArgument("a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse", "ApplyServerSideEncryptionByDefault")
		}
	case "aws:kms", "aws:kms:dsse":
	default:
		return s3err.MalformedXML()
	}
	return nil
}
