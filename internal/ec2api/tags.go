package ec2api

import (
	"encoding/xml"
	"strconv"
	"strings"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// TagSet is EC2's XML shape of a resource's tags. Use it as a field tagged
// `xml:"tagSet"`: it marshals as <tagSet><item><key>…</key><value>…</value>
// </item></tagSet>, and as an empty <tagSet></tagSet> when there are none,
// as EC2 sends it (add ",omitempty" to leave it out instead).
type TagSet []TagItem

// MarshalXML writes the set as start with one <item> per tag.
func (t TagSet) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return marshalItems(e, start, t)
}

// TagItem is one <item> of a tagSet.
type TagItem struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

// XMLTags converts tags to their XML shape (nil for none).
func XMLTags(tags []vpce.Tag) TagSet {
	if len(tags) == 0 {
		return nil
	}
	out := make(TagSet, len(tags))
	for i, t := range tags {
		out[i] = TagItem{Key: t.Key, Value: t.Value}
	}
	return out
}

// maxTags is EC2's limit of tags per resource.
const maxTags = 50

// ParseTagSpecifications decodes TagSpecification.N.ResourceType and
// TagSpecification.N.Tag.M.Key/.Value and returns the tags for
// resourceType (e.g. "vpc-endpoint"). A specification for another type is
// InvalidParameterValue, as EC2 answers; so are a key twice, an empty key,
// a key starting with "aws:" or more than 50 tags.
func ParseTagSpecifications(p Params, resourceType string) ([]vpce.Tag, *Error) {
	var tags []vpce.Tag
	for i := 1; ; i++ {
		prefix := "TagSpecification." + strconv.Itoa(i)
		rt, hasRT := p[prefix+".ResourceType"]
		if !hasRT && !p.hasPrefix(prefix+".") {
			break
		}
		if !hasRT || len(rt) == 0 || rt[0] == "" {
			return nil, Errorf("InvalidParameterValue", "The tag specification %s must name a ResourceType.", prefix)
		}
		if rt[0] != resourceType {
			return nil, Errorf("InvalidParameterValue", "'%s' is not a valid taggable resource type for this operation.", rt[0])
		}
		t, err := parseTags(p, prefix+".Tag")
		if err != nil {
			return nil, err
		}
		tags = append(tags, t...)
	}
	return tags, checkTags(tags)
}

// parseTags decodes prefix.M.Key and prefix.M.Value, stopping at the first
// missing index.
func parseTags(p Params, prefix string) ([]vpce.Tag, *Error) {
	var tags []vpce.Tag
	for m := 1; m <= maxTags+1; m++ {
		tp := prefix + "." + strconv.Itoa(m)
		k, hasKey := p[tp+".Key"]
		if !hasKey {
			if p.Has(tp + ".Value") {
				return nil, Errorf("InvalidParameterValue", "Tag keys must be given: %s.Key is missing.", tp)
			}
			break
		}
		key := ""
		if len(k) > 0 {
			key = k[0]
		}
		tags = append(tags, vpce.Tag{Key: key, Value: p.String(tp + ".Value")})
	}
	return tags, nil
}

// checkTags applies EC2's rules on a set of tags.
func checkTags(tags []vpce.Tag) *Error {
	if len(tags) > maxTags {
		return Errorf("TagLimitExceeded", "The maximum number of tags (%d) for a resource has been reached.", maxTags)
	}
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		switch {
		case t.Key == "":
			return Errorf("InvalidParameterValue", "Tag keys must be between 1 and 128 characters.")
		case len(t.Key) > 128:
			return Errorf("InvalidParameterValue", "Tag key exceeds the maximum length of 128 characters")
		case len(t.Value) > 256:
			return Errorf("InvalidParameterValue", "Tag value exceeds the maximum length of 256 characters")
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return Errorf("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use")
		case seen[t.Key]:
			return Errorf("InvalidParameterValue", "Duplicate tag key '%s' specified.", t.Key)
		}
		seen[t.Key] = true
	}
	return nil
}
