// Package service is the HTTP API of the KATE embedding service: plain
// net/http over one KATE model file. The Cloudflare Workers entry point
// (worker/main.go) serves it with github.com/syumai/workers; the native
// build serves it with net/http, and the tests drive it with httptest.
//
// Routes (every response is JSON and carries CORS headers):
//
//	GET  /                 the service's name and routes
//	POST /v1/encode        {"texts": [...]} -> {"dims": [n, K], "data": [n*K floats, row-major]}
//	POST /v1/similar       {"query": "...", "texts": [...], "n": 5} -> {"results": [{"index", "score"}...]}
//	GET  /v1/model         dimension, k, vocabulary size, format version, sha256 of the model file
//	GET  /v1/topics?n=10   the n best words of every hidden unit (by=documents|weight|learned)
//	OPTIONS <any route>    CORS preflight (204)
//
// Errors are {"error": "message"} with status 400 (malformed or invalid
// request), 404 (unknown path), 405 (wrong method, with an Allow header), 413
// (body, number of texts or text length over the limits) or 500 (a recovered
// panic or an unusable model; the message never shows internals).
//
// A fresh Workers isolate instance runs for every request, so a Service does
// the least work it can up front: the model file is parsed on the first
// request that needs the model, and its hash on the first /v1/model request.
package service

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"

	"github.com/kate-web/kate/kate"
)

// Limits bound what one request may ask for. Requests over a size limit get
// 413, other invalid values 400.
type Limits struct {
	// MaxBodyBytes is the largest request body read.
	MaxBodyBytes int64 `json:"max_body_bytes"`
	// MaxTexts is the largest number of texts in one request.
	MaxTexts int `json:"max_texts"`
	// MaxTextBytes is the largest length of one text (or query) in bytes.
	MaxTextBytes int `json:"max_text_bytes"`
	// MaxTopicWords is the largest n accepted by /v1/topics.
	MaxTopicWords int `json:"max_topic_words"`
}

// DefaultLimits returns the service's limits: bodies up to 1 MiB, 256 texts
// per request, 32 KiB per text and 50 words per topic.
func DefaultLimits() Limits {
	return Limits{MaxBodyBytes: 1 << 20, MaxTexts: 256, MaxTextBytes: 32 << 10, MaxTopicWords: 50}
}

// Defaults of the optional request parameters.
const (
	DefaultSimilarN = 5
	DefaultTopicsN  = 10
)

// Service serves the API over one model file. It is safe for concurrent use.
type Service struct {
	file   []byte
	limits Limits
	routes map[string]route

	loadOnce sync.Once
	model    *kate.Model
	loadErr  error

	sumOnce sync.Once
	sum     string
}

// route is one path's handler and the methods it accepts (OPTIONS is always
// accepted, for CORS preflights).
type route struct {
	methods []string
	handle  func(s *Service, r *http.Request) (int, any)
}

// Config configures a Service.
type Config struct {
	// Model is the model file's bytes; the service keeps them and never
	// modifies them.
	Model []byte
	// SHA256 is the hex SHA-256 of Model when it is known in advance
	// (worker/build.sh computes it at build time: hashing the file costs a
	// few milliseconds in WebAssembly, on every request). Empty: computed
	// on first use.
	SHA256 string
	// Limits bound the requests; zero or negative fields take their
	// DefaultLimits value.
	Limits Limits
}

// New returns a service over a model file. The file is parsed when a request
// first needs the model; a file that does not parse makes those requests fail
// with 500, and is logged.
func New(c Config) *Service {
	limits := c.Limits
	d := DefaultLimits()
	if limits.MaxBodyBytes <= 0 {
		limits.MaxBodyBytes = d.MaxBodyBytes
	}
	if limits.MaxTexts <= 0 {
		limits.MaxTexts = d.MaxTexts
	}
	if limits.MaxTextBytes <= 0 {
		limits.MaxTextBytes = d.MaxTextBytes
	}
	if limits.MaxTopicWords <= 0 {
		limits.MaxTopicWords = d.MaxTopicWords
	}
	return &Service{
		file:   c.Model,
		sum:    c.SHA256,
		limits: limits,
		routes: map[string]route{
			"/":           {[]string{http.MethodGet}, (*Service).index},
			"/v1/encode":  {[]string{http.MethodPost}, (*Service).encode},
			"/v1/similar": {[]string{http.MethodPost}, (*Service).similar},
			"/v1/model":   {[]string{http.MethodGet}, (*Service).info},
			"/v1/topics":  {[]string{http.MethodGet}, (*Service).topics},
		},
	}
}

// Limits returns the service's limits.
func (s *Service) Limits() Limits { return s.limits }

// Model returns the parsed model, parsing the file on the first call.
func (s *Service) Model() (*kate.Model, error) {
	s.loadOnce.Do(func() {
		s.model, s.loadErr = kate.UnmarshalModel(s.file)
		if s.loadErr != nil {
			log.Printf("kate service: model file: %v", s.loadErr)
		}
	})
	return s.model, s.loadErr
}

// SHA256 returns the hex SHA-256 of the model file (Config.SHA256 when set).
func (s *Service) SHA256() string {
	s.sumOnce.Do(func() {
		if s.sum != "" {
			return
		}
		h := sha256.Sum256(s.file)
		s.sum = hex.EncodeToString(h[:])
	})
	return s.sum
}

// apiError is an error with the HTTP status it is answered with; its message
// is shown to the client.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func errorf(status int, format string, a ...any) *apiError {
	return &apiError{status, fmt.Sprintf(format, a...)}
}

// errorBody is the JSON body of every error response.
type errorBody struct {
	Error string `json:"error"`
}

// trackingWriter remembers whether the response was started, so that a
// recovered panic is answered only when nothing was written yet.
type trackingWriter struct {
	http.ResponseWriter
	started bool
}

func (w *trackingWriter) WriteHeader(code int) {
	w.started = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *trackingWriter) Write(b []byte) (int, error) {
	w.started = true
	return w.ResponseWriter.Write(b)
}

// ServeHTTP answers one request. A panic is logged with its stack and
// answered with 500 and a generic message.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tw := &trackingWriter{ResponseWriter: w}
	defer func() {
		if v := recover(); v != nil {
			log.Printf("kate service: panic serving %s %s: %v\n%s", r.Method, r.URL.Path, v, debug.Stack())
			if !tw.started {
				writeJSON(tw, http.StatusInternalServerError, errorBody{"internal error"})
			}
		}
	}()
	s.serve(tw, r)
}

func (s *Service) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	rt, ok := s.routes[r.URL.Path]
	if !ok {
		writeJSON(w, http.StatusNotFound, errorBody{fmt.Sprintf("no route %s", r.URL.Path)})
		return
	}
	allowed := rt.methods[:len(rt.methods):len(rt.methods)]
	if contains(allowed, http.MethodGet) {
		allowed = append(allowed, http.MethodHead)
	}
	allow := strings.Join(append(allowed, http.MethodOptions), ", ")
	if r.Method == http.MethodOptions {
		h.Set("Allow", allow)
		h.Set("Access-Control-Allow-Methods", allow)
		h.Set("Access-Control-Allow-Headers", "Content-Type")
		h.Set("Access-Control-Max-Age", "86400")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if r.Method == http.MethodHead && contains(rt.methods, http.MethodGet) {
		// HEAD is answered as GET; the server (net/http, workerd) sends
		// the headers, Content-Length included, without the body.
		r = r.Clone(r.Context())
		r.Method = http.MethodGet
	}
	if !contains(rt.methods, r.Method) {
		h.Set("Allow", allow)
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{fmt.Sprintf("method %s not allowed on %s (allowed: %s)", r.Method, r.URL.Path, allow)})
		return
	}
	status, body := rt.handle(s, r)
	if e, ok := body.(*apiError); ok {
		body = errorBody{e.msg}
	}
	if r.Method == http.MethodGet && status == http.StatusOK {
		h.Set("Cache-Control", "public, max-age=300")
	} else {
		h.Set("Cache-Control", "no-store")
	}
	writeJSON(w, status, body)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// writeJSON writes v as the whole response, with its length.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		log.Printf("kate service: encoding the response: %v", err)
		status = http.StatusInternalServerError
		b = []byte(`{"error":"internal error"}`)
	}
	b = append(b, '\n')
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(b)
}

// fail turns an error into a handler result.
func fail(err error) (int, any) {
	var e *apiError
	if errors.As(err, &e) {
		return e.status, e
	}
	log.Printf("kate service: %v", err)
	return http.StatusInternalServerError, errorf(http.StatusInternalServerError, "internal error")
}

// loadModel returns the model or a 500 error that hides the cause.
func (s *Service) loadModel() (*kate.Model, error) {
	m, err := s.Model()
	if err != nil {
		return nil, errorf(http.StatusInternalServerError, "the service's model is unavailable")
	}
	return m, nil
}

// maxDrainBytes bounds the rest of an oversized body read before answering
// 413: Cloudflare refuses larger request bodies (100 MB on the Free and Pro
// plans) before they reach a Worker.
const maxDrainBytes = 100 << 20

// decode reads the request body, at most MaxBodyBytes, as exactly one JSON
// object into v, rejecting unknown fields.
func (s *Service) decode(r *http.Request, v any) error {
	max := s.limits.MaxBodyBytes
	if r.ContentLength > max {
		return errorf(http.StatusRequestEntityTooLarge, "request body of %d bytes is over the limit of %d bytes", r.ContentLength, max)
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		return errorf(http.StatusBadRequest, "reading the request body: %v", err)
	}
	if int64(len(data)) > max {
		// Read the rest before answering: under workerd, a request body left
		// partly read made the next request fail with 503 ("Your worker
		// restarted mid-request"); an unread one does not (docs/limits.md).
		io.Copy(io.Discard, io.LimitReader(r.Body, maxDrainBytes))
		return errorf(http.StatusRequestEntityTooLarge, "request body is over the limit of %d bytes", max)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return errorf(http.StatusBadRequest, "empty request body: a JSON object is required")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var apiErr *apiError
		if errors.As(err, &apiErr) {
			return apiErr
		}
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			if typeErr.Field != "" {
				return errorf(http.StatusBadRequest, "malformed JSON: field %q must be %s, not %s", typeErr.Field, typeName(typeErr.Type.Kind().String()), typeErr.Value)
			}
			return errorf(http.StatusBadRequest, "malformed JSON: the body must be an object, not %s", typeErr.Value)
		}
		return errorf(http.StatusBadRequest, "malformed JSON: %v", strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); err != io.EOF {
		return errorf(http.StatusBadRequest, "malformed JSON: data after the object")
	}
	return nil
}

func typeName(kind string) string {
	switch kind {
	case "slice":
		return "an array"
	case "string":
		return "a string"
	case "int":
		return "an integer"
	}
	return kind
}

// checkTexts applies the limits on the number and length of texts.
func (s *Service) checkTexts(texts Texts) error {
	if texts == nil {
		return errorf(http.StatusBadRequest, `"texts" is required: an array of strings`)
	}
	if len(texts) == 0 {
		return errorf(http.StatusBadRequest, `"texts" is empty: at least one text is required`)
	}
	if len(texts) > s.limits.MaxTexts {
		return errorf(http.StatusRequestEntityTooLarge, "%d texts is over the limit of %d per request", len(texts), s.limits.MaxTexts)
	}
	for i, t := range texts {
		if len(t) > s.limits.MaxTextBytes {
			return errorf(http.StatusRequestEntityTooLarge, "text %d is %d bytes, over the limit of %d bytes", i, len(t), s.limits.MaxTextBytes)
		}
	}
	return nil
}

// Texts is a JSON array of strings. Unlike []string, it refuses null
// elements (which would otherwise be read as empty texts).
type Texts []string

// UnmarshalJSON reads an array of strings; null (the whole array) reads as
// nil.
func (t *Texts) UnmarshalJSON(b []byte) error {
	var ps []*string
	if err := json.Unmarshal(b, &ps); err != nil {
		return err
	}
	if ps == nil {
		*t = nil
		return nil
	}
	out := make(Texts, len(ps))
	for i, p := range ps {
		if p == nil {
			return errorf(http.StatusBadRequest, "text %d is null: every text must be a string", i)
		}
		out[i] = *p
	}
	*t = out
	return nil
}

// EncodeRequest is the body of POST /v1/encode.
type EncodeRequest struct {
	Texts Texts `json:"texts"`
}

// EncodeResponse is the answer of POST /v1/encode: the n x K embeddings,
// row-major.
type EncodeResponse struct {
	Dims [2]int    `json:"dims"`
	Data []float32 `json:"data"`
}

func (s *Service) encode(r *http.Request) (int, any) {
	var req EncodeRequest
	if err := s.decode(r, &req); err != nil {
		return fail(err)
	}
	if err := s.checkTexts(req.Texts); err != nil {
		return fail(err)
	}
	m, err := s.loadModel()
	if err != nil {
		return fail(err)
	}
	return http.StatusOK, EncodeResponse{Dims: [2]int{len(req.Texts), m.Dim()}, Data: m.Encode(req.Texts)}
}

// SimilarRequest is the body of POST /v1/similar. N defaults to
// DefaultSimilarN and is capped at the number of texts.
type SimilarRequest struct {
	Query string `json:"query"`
	Texts Texts  `json:"texts"`
	N     *int   `json:"n"`
}

// Match is one ranked text: its index in the request's texts and its cosine
// similarity to the query, both measured from the model's Origin (the empty
// document's embedding; see kate.Model.Nearest).
type Match struct {
	Index int     `json:"index"`
	Score float32 `json:"score"`
}

// SimilarResponse is the answer of POST /v1/similar, best match first.
type SimilarResponse struct {
	Results []Match `json:"results"`
}

func (s *Service) similar(r *http.Request) (int, any) {
	var req SimilarRequest
	if err := s.decode(r, &req); err != nil {
		return fail(err)
	}
	if strings.TrimSpace(req.Query) == "" {
		return fail(errorf(http.StatusBadRequest, `"query" is required: a non-empty string`))
	}
	if len(req.Query) > s.limits.MaxTextBytes {
		return fail(errorf(http.StatusRequestEntityTooLarge, "the query is %d bytes, over the limit of %d bytes", len(req.Query), s.limits.MaxTextBytes))
	}
	if err := s.checkTexts(req.Texts); err != nil {
		return fail(err)
	}
	n := DefaultSimilarN
	if req.N != nil {
		n = *req.N
		if n < 1 {
			return fail(errorf(http.StatusBadRequest, `"n" must be at least 1, got %d`, n))
		}
	}
	m, err := s.loadModel()
	if err != nil {
		return fail(err)
	}
	k := m.Dim()
	q := make([]float32, k)
	if err := m.EncodeTo(q, req.Query); err != nil {
		return fail(err)
	}
	nb, err := m.Nearest(q, m.Encode(req.Texts), n)
	if err != nil {
		return fail(err)
	}
	out := SimilarResponse{Results: make([]Match, len(nb))}
	for i, x := range nb {
		out.Results[i] = Match{x.Index, x.Score}
	}
	return http.StatusOK, out
}

// ModelInfo is the answer of GET /v1/model.
type ModelInfo struct {
	FormatVersion int     `json:"format_version"`
	Dim           int     `json:"dim"`
	K             int     `json:"k"`
	Alpha         float32 `json:"alpha"`
	Grad          string  `json:"grad"`
	Stem          bool    `json:"stem"`
	Stopwords     bool    `json:"stopwords"`
	VocabSize     int     `json:"vocab_size"`
	Bytes         int     `json:"bytes"`
	SHA256        string  `json:"sha256"`
	Train         Train   `json:"train"`
	Limits        Limits  `json:"limits"`
}

// Train describes the model's training run.
type Train struct {
	Seed      uint64  `json:"seed"`
	Epochs    int     `json:"epochs"`
	BestEpoch int     `json:"best_epoch"`
	ValLoss   float64 `json:"val_loss"`
	Docs      int     `json:"docs"`
}

func (s *Service) info(r *http.Request) (int, any) {
	m, err := s.loadModel()
	if err != nil {
		return fail(err)
	}
	p, ti := m.Params(), m.Info()
	return http.StatusOK, ModelInfo{
		FormatVersion: int(binary.LittleEndian.Uint32(s.file[8:])), // the version of the file served (it parsed)
		Dim:           p.Dim,
		K:             p.Winners,
		Alpha:         p.Alpha,
		Grad:          p.Grad.String(),
		Stem:          p.Text.Stem,
		Stopwords:     p.Text.Stopwords,
		VocabSize:     m.Vocabulary().Len(),
		Bytes:         len(s.file),
		SHA256:        s.SHA256(),
		Train:         Train{ti.Seed, ti.Epochs, ti.BestEpoch, ti.ValLoss, ti.Docs},
		Limits:        s.limits,
	}
}

// Topic is one hidden unit's words, best first, under the ranking of
// kate.Model.TopicsBy, with its label and marks.
type Topic struct {
	Unit    int       `json:"unit"`
	Label   string    `json:"label"`
	Words   []string  `json:"words"`
	Weights []float32 `json:"weights"`
	// Docs is the number of training documents the unit represents (-1
	// when the model does not know).
	Docs int `json:"docs"`
	// Empty marks a unit that represents almost no training document;
	// DuplicateOf is the earlier unit this one nearly repeats, or -1.
	Empty       bool `json:"empty,omitempty"`
	DuplicateOf int  `json:"duplicate_of"`
}

// TopicsResponse is the answer of GET /v1/topics: one topic per hidden unit.
type TopicsResponse struct {
	N      int     `json:"n"`
	By     string  `json:"by"`
	Topics []Topic `json:"topics"`
}

func (s *Service) topics(r *http.Request) (int, any) {
	n := DefaultTopicsN
	by := kate.RankDocuments
	q := r.URL.Query()
	for name, v := range q {
		if name != "n" && name != "by" {
			return fail(errorf(http.StatusBadRequest, "unknown query parameter %q (only n and by)", name))
		}
		if len(v) > 1 {
			return fail(errorf(http.StatusBadRequest, "%s is given %d times", name, len(v)))
		}
	}
	if v := q["n"]; len(v) > 0 {
		x, err := strconv.Atoi(v[0])
		if err != nil || x < 1 || x > s.limits.MaxTopicWords {
			return fail(errorf(http.StatusBadRequest, "n must be an integer in [1, %d], got %q", s.limits.MaxTopicWords, v[0]))
		}
		n = x
	}
	if v := q["by"]; len(v) > 0 {
		r, err := kate.ParseTopicRanking(v[0])
		if err != nil {
			return fail(errorf(http.StatusBadRequest, "by must be documents, weight or learned, got %q", v[0]))
		}
		by = r
	}
	m, err := s.loadModel()
	if err != nil {
		return fail(err)
	}
	ts, err := m.TopicsBy(n, by)
	if err != nil {
		return fail(errorf(http.StatusBadRequest, "%v", err))
	}
	out := TopicsResponse{N: min(n, m.Vocabulary().Len()), By: by.String(), Topics: make([]Topic, len(ts))}
	for i, t := range ts {
		out.Topics[i] = Topic{t.Unit, t.Label, t.Words, t.Weights, t.Docs, t.Empty, t.DuplicateOf}
	}
	return http.StatusOK, out
}

// Route describes one endpoint in the index.
type Route struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Body   string `json:"body,omitempty"`
}

// Index is the answer of GET /.
type Index struct {
	Service string  `json:"service"`
	Routes  []Route `json:"routes"`
}

func (s *Service) index(r *http.Request) (int, any) {
	return http.StatusOK, Index{
		Service: "kate embedding service",
		Routes: []Route{
			{"POST", "/v1/encode", `{"texts": ["..."]}`},
			{"POST", "/v1/similar", `{"query": "...", "texts": ["..."], "n": 5}`},
			{"GET", "/v1/model", ""},
			{"GET", "/v1/topics?n=10", ""},
		},
	}
}
