package emulator

import (
	"fmt"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/s3vpce/s3vpce/internal/s3api"
	"github.com/s3vpce/s3vpce/internal/sigv4"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

// maxHintEndpoints bounds how many endpoints a hint lists names for.
const maxHintEndpoints = 3

// maxHintKeys bounds how many access key IDs a hint lists.
const maxHintKeys = 5

// hint returns the usual cause of a refusal and what to change, or "" when
// there is no usual cause to point at. It reads the request as the client
// sent it (before routing rewrites Host) and the record the gate filled.
func (s *Server) hint(r *http.Request, snap *snapshot, rec *DecisionRecord, serr *s3err.Error) string {
	if rec.ep == nil && !rec.org.set && serr.Code == "InvalidRequest" && !strings.Contains(serr.Message, "public S3") {
		// The one refusal before the endpoint is known: a Host that is not
		// a name of any endpoint.
		return "use one of the endpoint names as the endpoint URL (path style, or <bucket>.bucket.… for " +
			"virtual-hosted style): " + endpointNames(snap.topo, r.Host) +
			". Outside `s3vpce exec` those names need a DNS entry pointing at the listener (an /etc/hosts line or curl --resolve)."
	}
	switch serr.Code {
	case "InvalidRequest":
		switch {
		case strings.Contains(serr.Message, "authorization mechanism you have provided is not supported"):
			return sigV2Hint(r)
		case strings.Contains(serr.Message, "x-amz-content-sha256"):
			return "S3 requires x-amz-content-sha256 on every header-signed request (the SHA-256 of the body, or UNSIGNED-PAYLOAD). " +
				"curl: `--aws-sigv4 'aws:amz:" + regionOf(rec) + ":s3' -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD'` " +
				"(curl signs the header it is given; older curl such as Debian 12's 7.88 does not add it itself)."
		case strings.Contains(serr.Message, "is below endpoint"):
			return "the host is under the endpoint's name but is not one of its S3 names: use " + endpointNames(snap.topo, r.Host) + "."
		}
	case "AuthorizationHeaderMalformed", "AuthorizationQueryParametersError":
		if region := serr.Elem("Region"); region != "" {
			return fmt.Sprintf("endpoint %s is in %s: sign for that region (AWS_REGION=%s, aws --region %s, region_name='%s' in boto3, "+
				"curl --aws-sigv4 'aws:amz:%s:s3').", rec.Endpoint, region, region, region, region, region)
		}
	case "SignatureDoesNotMatch":
		return "usual causes: the wrong secret for this access key (the emulator's key pairs are the ones `s3vpce serve` prints, or its --credentials file); " +
			"a proxy or load balancer that changed Host, the path or a signed header after signing; the client signed a different Host " +
			"(virtual-hosted <bucket>.bucket.… versus path style: set the client's addressing style to path, e.g. " +
			"aws configure set default.s3.addressing_style path); " +
			"a path with characters the client encoded differently. The response's CanonicalRequest is what the emulator signed: compare it with the client's debug log."
	case "InvalidAccessKeyId":
		return "this emulator knows the access key(s) " + strings.Join(s.accessKeyIDs(), ", ") +
			" (the default pair, printed by `s3vpce serve`, or those of its --credentials file); AWS keys are not valid here: " +
			"set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to an emulator pair."
	case "AccessDenied":
		if h := networkOriginHint(rec); h != "" {
			return h
		}
		switch {
		case len(rec.Checks) > 0 && !rec.Checks[len(rec.Checks)-1].Decision.Allowed():
			d := rec.Checks[len(rec.Checks)-1].Decision
			return fmt.Sprintf("denied by policy (%s); run `s3vpce explain %s` for the evaluation trace of every statement.", d.String(), rec.RequestID)
		case strings.HasPrefix(serr.Message, "There were headers present in the request which were not signed"):
			return "sign every x-amz-* header the request carries (add it to SignedHeaders), or have the proxy or tool that adds " +
				unsignedHeaders(serr) + " after signing stop adding it."
		case serr.Message == "Request has expired":
			return "the presigned URL's X-Amz-Date plus X-Amz-Expires is in the past: presign a new URL, or with a longer --expires-in."
		case serr.Message == "Request is not valid yet":
			return "the presigned URL's X-Amz-Date is in the future: check the clock of the machine that presigned it."
		case strings.Contains(serr.Message, "valid Date or x-amz-date"):
			return "send X-Amz-Date (YYYYMMDDTHHMMSSZ) with the signature, and sign it."
		}
	case "RequestTimeTooSkewed":
		return fmt.Sprintf("the request's X-Amz-Date is more than %s from the emulator's clock (%s): fix the client's clock, "+
			"or a request re-sent long after it was signed.", sigv4.MaxSkew.String(), s.now().UTC().Format(time.RFC3339))
	case "RequestTimeout":
		return "the client stopped sending the request body (no byte for the serve --request-timeout period): " +
			"a Content-Length larger than the body actually sent, or a stalled pipe or upload; " +
			"check that Content-Length matches the body."
	case "IncompleteBody":
		return "the connection ended before Content-Length bytes of body arrived: check that Content-Length matches the body."
	case "MaxMessageLengthExceeded":
		h := fmt.Sprintf("the body of %s is larger than S3 accepts for that operation: send a smaller document", rec.Operation)
		if rec.Operation == "DeleteObjects" {
			h += " (at most 1000 keys a request)"
		}
		return h + "."
	case "EntityTooLarge":
		return "a single PUT is limited to 5 GiB: use a multipart upload (aws s3 cp does so by itself above its multipart_threshold)."
	case "XAmzContentSHA256Mismatch":
		return "x-amz-content-sha256 is not the SHA-256 of the body sent: sign the body actually sent, or use UNSIGNED-PAYLOAD."
	case "NotImplemented":
		return "s3vpce does not emulate this yet; README.md lists what it does not emulate."
	}
	return ""
}

// streamedBody is the body the S3 layer will read from the connection
// itself, when the progress rule watches it (progressHandler); nil when
// the body was spooled, is empty, or no progress rule applies.
func streamedBody(r *http.Request) *progressBody {
	pb, _ := r.Body.(*progressBody)
	return pb
}

// noteTimeout records RequestTimeout when the S3 layer's read of the body
// timed out: progressHandler answers it in the handler's place after the
// record is logged, so the record learns it here.
func (s *Server) noteTimeout(r *http.Request, snap *snapshot, rec *DecisionRecord, body *progressBody) {
	if body == nil || !body.timedOut.Load() || rec.Code != "" {
		return
	}
	serr := s3api.RequestTimeout()
	if rec.Error == "" {
		rec.Error = serr.Code
	}
	rec.refused(serr, s.hint(r, snap, rec, serr))
}

// sigV2Hint explains a Signature Version 2 request: S3 buckets created
// since June 2020 refuse SigV2, and SDKs still presign with it by default
// in us-east-1.
func sigV2Hint(r *http.Request) string {
	how := "an Authorization: AWS header"
	if q := r.URL.Query(); q.Has("Signature") || q.Has("AWSAccessKeyId") {
		how = "a presigned URL with Signature= and AWSAccessKeyId="
	}
	return "the request is signed with Signature Version 2 (" + how + "), which S3 refuses: " +
		"aws CLI v1 and boto3 presign with SigV2 by default in us-east-1. Use SigV4: " +
		"aws configure set default.s3.signature_version s3v4; " +
		"boto3: Config(signature_version='s3v4'); s3cmd: drop --signature-v2 (signature_v2 = False in .s3cfg), and presign with " +
		"aws s3 presign instead of s3cmd signurl, which signs only with SigV2."
}

// endpointNames lists the bucket. names, regional and one zonal, of the
// first endpoints, as URLs with the port the client used.
func endpointNames(topo *vpce.Topology, hostport string) string {
	port := 0
	if _, p, err := net.SplitHostPort(hostport); err == nil {
		port, _ = strconv.Atoi(p)
	}
	var names []string
	eps := topo.Endpoints()
	for i := range eps {
		if i == maxHintEndpoints {
			names = append(names, fmt.Sprintf("(and %d more endpoints)", len(eps)-maxHintEndpoints))
			break
		}
		e := &eps[i]
		names = append(names, e.BucketURL("", port)+" (regional)")
		if len(e.Zones) > 0 {
			names = append(names, e.BucketURL(e.Zones[0].Name, port)+" (zonal)")
		}
	}
	return strings.Join(names, ", ")
}

// unsignedHeaders names the headers of a HeadersNotSigned error.
func unsignedHeaders(serr *s3err.Error) string {
	if v := serr.Elem("HeadersNotSigned"); v != "" {
		return v
	}
	return "them"
}

func regionOf(rec *DecisionRecord) string {
	if rec.org.set {
		return rec.org.region
	}
	if rec.ep != nil {
		return rec.ep.Region
	}
	return "us-east-1"
}

// accessKeyIDs returns the access key IDs the emulator accepts, sorted.
func (s *Server) accessKeyIDs() []string {
	ids := make([]string, 0, len(s.creds))
	for id := range s.creds {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if len(ids) > maxHintKeys {
		ids = append(ids[:maxHintKeys], fmt.Sprintf("and %d more", len(ids)-maxHintKeys))
	}
	return ids
}
