package s3api

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"

	"github.com/s3vpce/s3vpce/internal/s3err"
)

// Put/Get/DeleteBucketWebsite: the configuration is validated as S3
// validates it, stored as JSON under configWebsite and returned as stored.
// Website endpoints (bucket.s3-website-region.amazonaws.com) are not
// emulated: the configuration changes no answer of the REST API.

// configWebsite is the store.Bucket.Config name of the website
// configuration (the JSON of websiteConfiguration).
const configWebsite = "website"

// websiteConfiguration is the body of PutBucketWebsite and GetBucketWebsite.
type websiteConfiguration struct {
	XMLName               xml.Name             `xml:"WebsiteConfiguration" json:"-"`
	Xmlns                 string               `xml:"xmlns,attr,omitempty" json:"-"`
	RedirectAllRequestsTo *websiteRedirectAll  `xml:"RedirectAllRequestsTo,omitempty" json:"redirectAll,omitempty"`
	IndexDocument         *websiteIndex        `xml:"IndexDocument,omitempty" json:"index,omitempty"`
	ErrorDocument         *websiteError        `xml:"ErrorDocument,omitempty" json:"error,omitempty"`
	RoutingRules          *websiteRoutingRules `xml:"RoutingRules,omitempty" json:"routingRules,omitempty"`
}

type websiteRedirectAll struct {
	HostName *string `xml:"HostName" json:"hostName"`
	Protocol string  `xml:"Protocol,omitempty" json:"protocol,omitempty"`
}

type websiteIndex struct {
	Suffix *string `xml:"Suffix" json:"suffix"`
}

type websiteError struct {
	Key *string `xml:"Key" json:"key"`
}

type websiteRoutingRules struct {
	Rules []websiteRoutingRule `xml:"RoutingRule" json:"rules"`
}

type websiteRoutingRule struct {
	Condition *websiteCondition `xml:"Condition,omitempty" json:"condition,omitempty"`
	Redirect  *websiteRedirect  `xml:"Redirect" json:"redirect"`
}

type websiteCondition struct {
	HTTPErrorCodeReturnedEquals string `xml:"HttpErrorCodeReturnedEquals,omitempty" json:"httpErrorCode,omitempty"`
	KeyPrefixEquals             string `xml:"KeyPrefixEquals,omitempty" json:"keyPrefix,omitempty"`
}

type websiteRedirect struct {
	HostName             string `xml:"HostName,omitempty" json:"hostName,omitempty"`
	HTTPRedirectCode     string `xml:"HttpRedirectCode,omitempty" json:"httpRedirectCode,omitempty"`
	Protocol             string `xml:"Protocol,omitempty" json:"protocol,omitempty"`
	ReplaceKeyPrefixWith string `xml:"ReplaceKeyPrefixWith,omitempty" json:"replaceKeyPrefixWith,omitempty"`
	ReplaceKeyWith       string `xml:"ReplaceKeyWith,omitempty" json:"replaceKeyWith,omitempty"`
}

// maxRoutingRules is S3's limit on a website configuration's routing rules.
const maxRoutingRules = 50

// serveWebsite answers PutBucketWebsite, GetBucketWebsite and
// DeleteBucketWebsite.
func (h *Handler) serveWebsite(w http.ResponseWriter, req *Request) error {
	b, err := h.store.Bucket(req.Bucket)
	if err != nil {
		return err
	}
	switch req.Op {
	case "PutBucketWebsite":
		var c websiteConfiguration
		if serr := readXML(req.HTTP, maxDocument, &c); serr != nil {
			return serr
		}
		if serr := c.validate(); serr != nil {
			return serr
		}
		return h.setConfig(w, req, configWebsite, &c, http.StatusOK)
	case "DeleteBucketWebsite":
		return h.resetConfig(w, req, configWebsite)
	}
	var c websiteConfiguration
	set, _, err := readConfig(b, configWebsite, &c)
	switch {
	case err != nil:
		return err
	case !set:
		return s3err.New(http.StatusNotFound, "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration").
			With("BucketName", req.Bucket)
	}
	c.Xmlns = xmlns
	return writeXML(w, req.HTTP, &c)
}

// validate applies S3's rules to a website configuration: either
// RedirectAllRequestsTo (with a HostName) alone, or an IndexDocument whose
// Suffix is non-empty and has no '/', with an optional ErrorDocument Key
// and routing rules, each with a Redirect.
func (c *websiteConfiguration) validate() *s3err.Error {
	invalidRequest := func(msg string) *s3err.Error { return s3err.New(http.StatusBadRequest, "InvalidRequest", msg) }
	if r := c.RedirectAllRequestsTo; r != nil {
		if c.IndexDocument != nil || c.ErrorDocument != nil || c.RoutingRules != nil {
			return invalidRequest("RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.")
		}
		if r.HostName == nil || *r.HostName == "" {
			return s3err.MalformedXML()
		}
		return checkProtocol(r.Protocol)
	}
	if c.IndexDocument == nil {
		return errInvalidArgument("A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty", "IndexDocument").
			With("ArgumentValue", "null")
	}
	if s := c.IndexDocument.Suffix; s == nil {
		return s3err.MalformedXML()
	} else if *s == "" || strings.Contains(*s, "/") {
		return errInvalidArgument("The IndexDocument Suffix is not well formed", "IndexDocument").With("ArgumentValue", *s)
	}
	if e := c.ErrorDocument; e != nil {
		if e.Key == nil {
			return s3err.MalformedXML()
		}
		if *e.Key == "" {
			return errInvalidArgument("The ErrorDocument Key is not well formed", "ErrorDocument").With("ArgumentValue", "")
		}
	}
	if c.RoutingRules == nil {
		return nil
	}
	if len(c.RoutingRules.Rules) > maxRoutingRules {
		return invalidRequest("The number of routing rules must not exceed " + strconv.Itoa(maxRoutingRules))
	}
	for _, rule := range c.RoutingRules.Rules {
		if rule.Redirect == nil {
			return s3err.MalformedXML()
		}
		if cond := rule.Condition; cond != nil && cond.HTTPErrorCodeReturnedEquals == "" && cond.KeyPrefixEquals == "" {
			return invalidRequest("Condition cannot be empty. To redirect all requests without a condition, the condition element shouldn't be present.")
		}
		if code := rule.Condition; code != nil && code.HTTPErrorCodeReturnedEquals != "" {
			if n, err := strconv.Atoi(code.HTTPErrorCodeReturnedEquals); err != nil || n < 400 || n > 599 {
				return invalidRequest("The provided HTTP error code (" + code.HTTPErrorCodeReturnedEquals + ") is not valid. Valid codes are 4XX or 5XX.")
			}
		}
		rd := rule.Redirect
		if rd.ReplaceKeyPrefixWith != "" && rd.ReplaceKeyWith != "" {
			return invalidRequest("You can only define ReplaceKeyPrefix or ReplaceKey but not both.")
		}
		if rd.HTTPRedirectCode != "" {
			if n, err := strconv.Atoi(rd.HTTPRedirectCode); err != nil || n < 301 || n > 399 {
				return invalidRequest("The provided HTTP redirect code (" + rd.HTTPRedirectCode + ") is not valid. Valid codes are 3XX except 300.")
			}
		}
		if serr := checkProtocol(rd.Protocol); serr != nil {
			return serr
		}
	}
	return nil
}

// checkProtocol refuses a redirect protocol other than http and https.
func checkProtocol(p string) *s3err.Error {
	if p == "" || p == "http" || p == "https" {
		return nil
	}
	return s3err.New(http.StatusBadRequest, "InvalidRequest", "Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically.")
}
