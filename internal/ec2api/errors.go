package ec2api

import (
	"encoding/xml"
	"fmt"
	"net/http"
)

// Error is an EC2 API error: HTTP status, EC2's code and message.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf makes a 400 error with EC2's code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: code, Message: fmt.Sprintf(format, args...)}
}

// errorResponse is EC2's error document.
type errorResponse struct {
	XMLName   xml.Name     `xml:"Response"`
	Errors    []errorEntry `xml:"Errors>Error"`
	RequestID string       `xml:"RequestID"`
}

type errorEntry struct {
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

// WriteError writes e in EC2's error shape:
//
//	<Response><Errors><Error><Code>…</Code><Message>…</Message></Error></Errors><RequestID>…</RequestID></Response>
func WriteError(w http.ResponseWriter, requestID string, e *Error) {
	body, err := xml.Marshal(errorResponse{Errors: []errorEntry{{Code: e.Code, Message: e.Message}}, RequestID: requestID})
	if err != nil { // cannot happen: plain strings
		body = []byte("<Response/>")
	}
	h := w.Header()
	h.Set("Content-Type", "text/xml;charset=UTF-8")
	h.Set("x-amzn-RequestId", requestID)
	w.WriteHeader(e.Status)
	w.Write([]byte(xml.Header))
	w.Write(body)
}
