package ec2api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"", "", true},
		{"", "a", false},
		{"*", "", true},
		{"*", "anything", true},
		{"a*c", "abbbc", true},
		{"a*c", "abbbd", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*.s3.*", "x.s3.us-east-1", true},
		{`a\*`, "a*", true},
		{`a\*`, "ab", false},
		{`a\?`, "a?", true},
		{"**a", "xa", true},
		{"a*b*c", "a-b-b-c", true},
		{"ünï?", "ünïx", true},
		{strings.Repeat("*a", 30) + "b", strings.Repeat("a", 60), false}, // linear, not exponential
	}
	for _, tt := range tests {
		t.Run(tt.pattern+"~"+tt.s, func(t *testing.T) {
			if got := Glob(tt.pattern, tt.s); got != tt.want {
				t.Errorf("Glob(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
			}
		})
	}
}

func TestParseFilters(t *testing.T) {
	known := []string{"vpc-id", "tag-key", "tag:"}
	tests := []struct {
		name      string
		query     string
		want      Filters
		code, msg string
	}{
		{"none", "", nil, "", ""},
		{"two", "Filter.1.Name=vpc-id&Filter.1.Value.1=a&Filter.1.Value.2=b&Filter.2.Name=tag:Name&Filter.2.Value.1=x",
			Filters{{"vpc-id", []string{"a", "b"}}, {"tag:Name", []string{"x"}}}, "", ""},
		{"tag-key", "Filter.1.Name=tag-key&Filter.1.Value.1=k", Filters{{"tag-key", []string{"k"}}}, "", ""},
		{"unknown", "Filter.1.Name=color&Filter.1.Value.1=red", nil, "InvalidParameterValue", "The filter 'color' is invalid"},
		{"bare tag:", "Filter.1.Name=tag:&Filter.1.Value.1=red", nil, "InvalidParameterValue", "The filter 'tag:' is invalid"},
		{"no name", "Filter.1.Value.1=red", nil, "MissingParameter", "Filter.1.Name"},
		{"no value", "Filter.1.Name=vpc-id", nil, "InvalidParameterValue", "at least one value"},
		{"gap stops", "Filter.1.Name=vpc-id&Filter.1.Value.1=a&Filter.3.Name=nope&Filter.3.Value.1=b", Filters{{"vpc-id", []string{"a"}}}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFilters(paramsOf(t, tt.query), known...)
			if tt.code != "" {
				if err == nil || err.Code != tt.code || !strings.Contains(err.Message, tt.msg) {
					t.Fatalf("err %v, want %s %q", err, tt.code, tt.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(got, tt.want, func(a, b Filter) bool { return a.Name == b.Name && slices.Equal(a.Values, b.Values) }) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestFiltersMatch(t *testing.T) {
	tags := []vpce.Tag{{Key: "Name", Value: "web-1"}, {Key: "env", Value: "prod"}}
	values := func(name string) []string {
		if name == "vpc-id" {
			return []string{"vpc-1"}
		}
		return nil
	}
	tests := []struct {
		name string
		fs   Filters
		want bool
	}{
		{"no filters", nil, true},
		{"value", Filters{{"vpc-id", []string{"vpc-2", "vpc-1"}}}, true},
		{"value miss", Filters{{"vpc-id", []string{"vpc-2"}}}, false},
		{"tag", Filters{{"tag:Name", []string{"web-*"}}}, true},
		{"tag miss", Filters{{"tag:Name", []string{"db-*"}}}, false},
		{"tag of absent key", Filters{{"tag:Owner", []string{"*"}}}, false},
		{"tag-key", Filters{{"tag-key", []string{"env"}}}, true},
		{"tag-key miss", Filters{{"tag-key", []string{"Env"}}}, false},
		{"AND", Filters{{"vpc-id", []string{"vpc-1"}}, {"tag:env", []string{"dev"}}}, false},
		{"field with no values", Filters{{"state", []string{"*"}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.fs.Match(values, tags); got != tt.want {
				t.Errorf("Match = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParsePage(t *testing.T) {
	tests := []struct {
		name      string
		query     string
		lim       pageLimits
		want      Page
		code, msg string
	}{
		{"none", "", rangePages, Page{}, "", ""},
		{"range ok", "MaxResults=5", rangePages, Page{Size: 5}, "", ""},
		{"range low", "MaxResults=4", rangePages, Page{}, "InvalidParameterValue", "Value ( 4 ) for parameter maxResults is invalid. Expecting a value greater than 4."},
		{"range high", "MaxResults=1001", rangePages, Page{}, "InvalidParameterValue", "Expecting a value less than 1001"},
		{"clamp high", "MaxResults=5000", clampPages, Page{Size: 1000}, "", ""},
		{"clamp one", "MaxResults=1", clampPages, Page{Size: 1}, "", ""},
		{"clamp zero", "MaxResults=0", clampPages, Page{}, "InvalidParameterValue", "greater than 0"},
		{"not a number", "MaxResults=x", clampPages, Page{}, "InvalidParameterValue", "MaxResults"},
		{"token", "NextToken=" + encodeToken("DescribeX", "k-5"), clampPages, Page{After: "k-5"}, "", ""},
		{"token of another action", "NextToken=" + encodeToken("DescribeY", "k-5"), clampPages, Page{}, "InvalidNextToken", "is invalid"},
		{"empty key", "NextToken=" + encodeToken("DescribeX", ""), clampPages, Page{}, "InvalidNextToken", ""},
		{"not base64", "NextToken=%25%25", clampPages, Page{}, "InvalidNextToken", "%%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePage(paramsOf(t, tt.query), "DescribeX", tt.lim)
			if tt.code != "" {
				if err == nil || err.Code != tt.code || !strings.Contains(err.Message, tt.msg) {
					t.Fatalf("err %v, want %s %q", err, tt.code, tt.msg)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %+v %v, want %+v", got, err, tt.want)
			}
		})
	}
}

func TestPaginate(t *testing.T) {
	var items []string
	for i := range 23 {
		items = append(items, "k-"+strconv.Itoa(100+i))
	}
	id := func(s string) string { return s }
	var got []string
	pg := Page{Size: 5}
	for pages := 1; ; pages++ {
		page, next := Paginate(items, id, "DescribeX", pg)
		got = append(got, page...)
		if next == "" {
			if pages != 5 {
				t.Errorf("%d pages, want 5", pages)
			}
			break
		}
		p, err := ParsePage(Params{"NextToken": {next}, "MaxResults": {"5"}}, "DescribeX", rangePages)
		if err != nil {
			t.Fatal(err)
		}
		pg = p
	}
	if !slices.Equal(got, items) {
		t.Errorf("pages joined %v, want %v", got, items)
	}
	if page, next := Paginate(items, id, "DescribeX", Page{}); len(page) != 23 || next != "" {
		t.Errorf("no size: %d items, next %q", len(page), next)
	}
	if page, next := Paginate(items, id, "DescribeX", Page{After: "k-999"}); len(page) != 0 || next != "" {
		t.Errorf("after the last: %v %q", page, next)
	}
}

func TestParseTagSpecifications(t *testing.T) {
	tests := []struct {
		name      string
		query     string
		want      []vpce.Tag
		code, msg string
	}{
		{"none", "", nil, "", ""},
		{"two specs", "TagSpecification.1.ResourceType=vpc-endpoint&TagSpecification.1.Tag.1.Key=a&TagSpecification.1.Tag.1.Value=1&TagSpecification.1.Tag.2.Key=b" +
			"&TagSpecification.2.ResourceType=vpc-endpoint&TagSpecification.2.Tag.1.Key=c&TagSpecification.2.Tag.1.Value=3",
			[]vpce.Tag{{Key: "a", Value: "1"}, {Key: "b"}, {Key: "c", Value: "3"}}, "", ""},
		{"other type", "TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=a", nil, "InvalidParameterValue", "'vpc'"},
		{"no type", "TagSpecification.1.Tag.1.Key=a", nil, "InvalidParameterValue", "ResourceType"},
		{"value without key", "TagSpecification.1.ResourceType=vpc-endpoint&TagSpecification.1.Tag.1.Value=v", nil, "InvalidParameterValue", "Key"},
		{"empty key", "TagSpecification.1.ResourceType=vpc-endpoint&TagSpecification.1.Tag.1.Key=", nil, "InvalidParameterValue", "between 1 and 128"},
		{"aws: key", "TagSpecification.1.ResourceType=vpc-endpoint&TagSpecification.1.Tag.1.Key=AWS:x", nil, "InvalidParameterValue", "reserved"},
		{"duplicate", "TagSpecification.1.ResourceType=vpc-endpoint&TagSpecification.1.Tag.1.Key=a&TagSpecification.1.Tag.2.Key=a", nil, "InvalidParameterValue", "Duplicate tag key 'a'"},
		{"long key", "TagSpecification.1.ResourceType=vpc-endpoint&TagSpecification.1.Tag.1.Key=" + strings.Repeat("k", 129), nil, "InvalidParameterValue", "128"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTagSpecifications(paramsOf(t, tt.query), "vpc-endpoint")
			if tt.code != "" {
				if err == nil || err.Code != tt.code || !strings.Contains(err.Message, tt.msg) {
					t.Fatalf("err %v, want %s %q", err, tt.code, tt.msg)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("got %+v %v, want %+v", got, err, tt.want)
			}
		})
	}
	t.Run("51 tags", func(t *testing.T) {
		q := "TagSpecification.1.ResourceType=vpc-endpoint"
		for i := 1; i <= 51; i++ {
			q += "&TagSpecification.1.Tag." + strconv.Itoa(i) + ".Key=k" + strconv.Itoa(i)
		}
		if _, err := ParseTagSpecifications(paramsOf(t, q), "vpc-endpoint"); err == nil || err.Code != "TagLimitExceeded" {
			t.Errorf("err %v, want TagLimitExceeded", err)
		}
	})
}

func TestDryRunParam(t *testing.T) {
	if err := DryRun(Params{}); err != nil {
		t.Errorf("absent: %v", err)
	}
	if err := DryRun(Params{"DryRun": {"false"}}); err != nil {
		t.Errorf("false: %v", err)
	}
	if err := DryRun(Params{"DryRun": {"true"}}); err == nil || err.Status != http.StatusPreconditionFailed || err.Code != "DryRunOperation" ||
		err.Message != "Request would have succeeded, but DryRun flag is set." {
		t.Errorf("true: %+v", err)
	}
	if err := DryRun(Params{"DryRun": {"maybe"}}); err == nil || err.Code != "InvalidParameterValue" {
		t.Errorf("maybe: %+v", err)
	}
}
