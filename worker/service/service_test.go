package service

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/kate-web/kate/kate"
	"github.com/kate-web/kate/worker/model"
)

var sampleTexts = []string{
	"The new graphics card renders 3D images with OpenGL on my PC.",
	"God, faith and the Bible: is there evidence for Jesus?",
	"The Mets won the baseball game with a home run in the ninth inning.",
	"NASA launched the space shuttle to the orbit of the moon.",
	"My car's engine needs new oil and the dealer wants $300.",
	"Encryption keys, the clipper chip and government privacy.",
	"",
	"zzzz qqqq xyzzy",
}

// testModel is the embedded default model, parsed once.
var testModel = sync.OnceValue(func() *kate.Model {
	m, err := kate.UnmarshalModel(model.File)
	if err != nil {
		panic(err)
	}
	return m
})

func newService() *Service { return New(Config{Model: model.File}) }

// do sends one request through the service and returns the response.
func do(t *testing.T, s http.Handler, method, target, body string) *http.Response {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec.Result()
}

// decodeBody decodes a JSON response body into v, checking the headers that
// every JSON response carries.
func decodeBody(t *testing.T, res *http.Response, v any) {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if o := res.Header.Get("Access-Control-Allow-Origin"); o != "*" {
		t.Errorf("Access-Control-Allow-Origin = %q", o)
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if cl := res.Header.Get("Content-Length"); cl != fmt.Sprint(len(b)) {
		t.Errorf("Content-Length = %q, body has %d bytes", cl, len(b))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
}

// wantError checks an error response's status and that its JSON body's
// message contains want.
func wantError(t *testing.T, res *http.Response, status int, want string) {
	t.Helper()
	if res.StatusCode != status {
		t.Errorf("status %d, want %d", res.StatusCode, status)
	}
	var e errorBody
	decodeBody(t, res, &e)
	if e.Error == "" || !strings.Contains(e.Error, want) {
		t.Errorf("error %q, want it to contain %q", e.Error, want)
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestIndex(t *testing.T) {
	res := do(t, newService(), "GET", "/", "")
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	var idx Index
	decodeBody(t, res, &idx)
	if len(idx.Routes) != 4 || idx.Routes[0].Path != "/v1/encode" {
		t.Errorf("routes %+v", idx.Routes)
	}
}

func TestEncodeMatchesModel(t *testing.T) {
	m := testModel()
	res := do(t, newService(), "POST", "/v1/encode", mustJSON(EncodeRequest{sampleTexts}))
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q", cc)
	}
	var got EncodeResponse
	decodeBody(t, res, &got)
	if got.Dims != [2]int{len(sampleTexts), m.Dim()} {
		t.Fatalf("dims %v", got.Dims)
	}
	want := m.Encode(sampleTexts)
	if len(got.Data) != len(want) {
		t.Fatalf("%d values, want %d", len(got.Data), len(want))
	}
	// float32 values survive JSON exactly.
	for i := range want {
		if got.Data[i] != want[i] {
			t.Fatalf("value %d: %v, want %v", i, got.Data[i], want[i])
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	lim := DefaultLimits()
	long := strings.Repeat("a", lim.MaxTextBytes+1)
	tooMany := make([]string, lim.MaxTexts+1)
	cases := []struct {
		name, body string
		status     int
		want       string
	}{
		{"empty body", "", 400, "empty request body"},
		{"blank body", "  \n", 400, "empty request body"},
		{"malformed", `{"texts": [`, 400, "malformed JSON"},
		{"not an object", `["a"]`, 400, "must be an object"},
		{"wrong type", `{"texts": "a"}`, 400, `field "texts" must be an array`},
		{"wrong element type", `{"texts": [1]}`, 400, `field "texts" must be`},
		{"unknown field", `{"text": ["a"]}`, 400, `unknown field "text"`},
		{"trailing data", `{"texts": ["a"]} {}`, 400, "data after the object"},
		{"missing texts", `{}`, 400, `"texts" is required`},
		{"null texts", `{"texts": null}`, 400, `"texts" is required`},
		{"null text", `{"texts": ["a", null]}`, 400, "text 1 is null: every text must be a string"},
		{"no texts", `{"texts": []}`, 400, `"texts" is empty`},
		{"too many texts", mustJSON(EncodeRequest{tooMany}), 413, "over the limit of 256"},
		{"text too long", mustJSON(EncodeRequest{[]string{"ok", long}}), 413, "text 1 is 32769 bytes"},
		{"body too large", `{"texts": ["` + strings.Repeat("a", int(lim.MaxBodyBytes)) + `"]}`, 413, "over the limit of 1048576 bytes"},
	}
	s := newService()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := do(t, s, "POST", "/v1/encode", c.body)
			wantError(t, res, c.status, c.want)
			if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q", cc)
			}
		})
	}
}

// A body without Content-Length (chunked) is cut at the limit while read.
func TestEncodeBodyTooLargeStreamed(t *testing.T) {
	s := New(Config{Model: model.File, Limits: Limits{MaxBodyBytes: 100}})
	body := `{"texts": ["` + strings.Repeat("a", 200) + `"]}`
	req := httptest.NewRequest("POST", "/v1/encode", io.MultiReader(strings.NewReader(body)))
	req.ContentLength = -1
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	wantError(t, rec.Result(), 413, "request body is over the limit of 100 bytes")
	// The rest of the body was read before answering: under workerd a
	// partly read body made the next request fail with 503 (issue 13,
	// item 2; worker/test.sh checks it end to end).
	rest := strings.NewReader(body)
	req = httptest.NewRequest("POST", "/v1/encode", io.MultiReader(rest))
	req.ContentLength = -1
	s.ServeHTTP(httptest.NewRecorder(), req)
	if rest.Len() != 0 {
		t.Errorf("%d bytes of the body left unread", rest.Len())
	}

	// The same body announced by its Content-Length is refused before reading.
	res := do(t, s, "POST", "/v1/encode", body)
	wantError(t, res, 413, fmt.Sprintf("request body of %d bytes", len(body)))
}

func TestSimilar(t *testing.T) {
	m := testModel()
	s := newService()
	query := "space shuttle launch to the moon"
	q := make([]float32, m.Dim())
	if err := m.EncodeTo(q, query); err != nil {
		t.Fatal(err)
	}
	rows := m.Encode(sampleTexts)
	for _, n := range []int{0, 1, 3, 100} {
		t.Run(fmt.Sprint("n=", n), func(t *testing.T) {
			req := SimilarRequest{Query: query, Texts: sampleTexts}
			wantN := DefaultSimilarN
			if n > 0 {
				req.N = &n
				wantN = min(n, len(sampleTexts))
			}
			res := do(t, s, "POST", "/v1/similar", mustJSON(req))
			if res.StatusCode != 200 {
				t.Fatalf("status %d", res.StatusCode)
			}
			var got SimilarResponse
			decodeBody(t, res, &got)
			want, err := m.Nearest(q, rows, wantN)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Results) != wantN {
				t.Fatalf("%d results, want %d", len(got.Results), wantN)
			}
			for i, w := range want {
				if got.Results[i] != (Match{w.Index, w.Score}) {
					t.Errorf("result %d: %+v, want %+v", i, got.Results[i], w)
				}
			}
		})
	}
	// The shuttle text is the best match of the shuttle query.
	res := do(t, s, "POST", "/v1/similar", mustJSON(SimilarRequest{Query: query, Texts: sampleTexts}))
	var got SimilarResponse
	decodeBody(t, res, &got)
	if got.Results[0].Index != 3 {
		t.Errorf("best match %+v, want index 3", got.Results[0])
	}
}

func TestSimilarErrors(t *testing.T) {
	lim := DefaultLimits()
	cases := []struct {
		name, body string
		status     int
		want       string
	}{
		{"malformed", `{"query": }`, 400, "malformed JSON"},
		{"missing query", `{"texts": ["a"]}`, 400, `"query" is required`},
		{"blank query", `{"query": "  ", "texts": ["a"]}`, 400, `"query" is required`},
		{"query wrong type", `{"query": 5, "texts": ["a"]}`, 400, `field "query" must be a string`},
		{"missing texts", `{"query": "a"}`, 400, `"texts" is required`},
		{"n zero", `{"query": "a", "texts": ["a"], "n": 0}`, 400, `"n" must be at least 1`},
		{"n negative", `{"query": "a", "texts": ["a"], "n": -2}`, 400, `"n" must be at least 1`},
		{"n not integer", `{"query": "a", "texts": ["a"], "n": 1.5}`, 400, `field "n"`},
		{"query too long", mustJSON(SimilarRequest{Query: strings.Repeat("q", lim.MaxTextBytes+1), Texts: []string{"a"}}), 413, "the query is"},
		{"too many texts", mustJSON(SimilarRequest{Query: "a", Texts: make([]string, lim.MaxTexts+1)}), 413, "texts is over the limit"},
	}
	s := newService()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, do(t, s, "POST", "/v1/similar", c.body), c.status, c.want)
		})
	}
}

func TestModelInfo(t *testing.T) {
	m := testModel()
	res := do(t, newService(), "GET", "/v1/model", "")
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "public, max-age=300" {
		t.Errorf("Cache-Control = %q", cc)
	}
	var got ModelInfo
	decodeBody(t, res, &got)
	sum := sha256.Sum256(model.File)
	p, ti := m.Params(), m.Info()
	want := ModelInfo{
		FormatVersion: kate.FormatVersion, Dim: p.Dim, K: p.Winners, Alpha: p.Alpha, Grad: p.Grad.String(),
		Stem: p.Text.Stem, Stopwords: p.Text.Stopwords, VocabSize: m.Vocabulary().Len(),
		Bytes: len(model.File), SHA256: hex.EncodeToString(sum[:]),
		Train:  Train{ti.Seed, ti.Epochs, ti.BestEpoch, ti.ValLoss, ti.Docs},
		Limits: DefaultLimits(),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if got.FormatVersion != 2 || got.Dim != 64 || got.VocabSize != 2000 {
		t.Errorf("the bundled model is %+v, want format 2, dim 64, V 2000", got)
	}

	// A hash given in the configuration (computed at build time) is used
	// as is.
	s := New(Config{Model: model.File, SHA256: "given"})
	var info ModelInfo
	decodeBody(t, do(t, s, "GET", "/v1/model", ""), &info)
	if info.SHA256 != "given" || s.SHA256() != "given" {
		t.Errorf("sha256 %q, want the configured one", info.SHA256)
	}
}

func TestTopics(t *testing.T) {
	m := testModel()
	s := newService()
	for _, c := range []struct {
		query string
		n     int
		by    kate.TopicRanking
	}{{"", DefaultTopicsN, kate.RankDocuments}, {"?n=1", 1, kate.RankDocuments}, {"?n=3", 3, kate.RankDocuments},
		{"?n=50", 50, kate.RankDocuments}, {"?n=4&by=weight", 4, kate.RankWeight}, {"?by=learned", DefaultTopicsN, kate.RankLearned}} {
		t.Run(c.query, func(t *testing.T) {
			res := do(t, s, "GET", "/v1/topics"+c.query, "")
			if res.StatusCode != 200 {
				t.Fatalf("status %d", res.StatusCode)
			}
			var got TopicsResponse
			decodeBody(t, res, &got)
			want, err := m.TopicsBy(c.n, c.by)
			if err != nil {
				t.Fatal(err)
			}
			if got.N != c.n || got.By != c.by.String() || len(got.Topics) != len(want) {
				t.Fatalf("n %d by %s with %d topics, want %d by %s with %d", got.N, got.By, len(got.Topics), c.n, c.by, len(want))
			}
			for i, w := range want {
				if !reflect.DeepEqual(got.Topics[i], Topic{w.Unit, w.Label, w.Words, w.Weights, w.Docs, w.Empty, w.DuplicateOf}) {
					t.Fatalf("topic %d: %+v, want %+v", i, got.Topics[i], w)
				}
			}
		})
	}
	res := do(t, s, "GET", "/v1/topics?by=size", "")
	if res.StatusCode != 400 {
		t.Errorf("by=size: status %d", res.StatusCode)
	}
}

func TestTopicsErrors(t *testing.T) {
	s := newService()
	for _, c := range []struct{ query, want string }{
		{"?n=0", "n must be an integer in [1, 50]"},
		{"?n=51", "n must be an integer in [1, 50]"},
		{"?n=-1", "n must be an integer in [1, 50]"},
		{"?n=abc", `got "abc"`},
		{"?n=", `got ""`},
		{"?n=1&n=2", "n is given 2 times"},
		{"?m=3", `unknown query parameter "m"`},
	} {
		t.Run(c.query, func(t *testing.T) {
			wantError(t, do(t, s, "GET", "/v1/topics"+c.query, ""), 400, c.want)
		})
	}
}

func TestNotFound(t *testing.T) {
	s := newService()
	for _, p := range []string{"/nope", "/v1", "/v1/encode/", "/v2/encode", "/V1/MODEL"} {
		wantError(t, do(t, s, "GET", p, ""), 404, "no route "+p)
		wantError(t, do(t, s, "POST", p, "{}"), 404, "no route")
	}
}

func TestMethodNotAllowed(t *testing.T) {
	s := newService()
	for _, c := range []struct{ method, path, allow string }{
		{"GET", "/v1/encode", "POST, OPTIONS"},
		{"PUT", "/v1/encode", "POST, OPTIONS"},
		{"GET", "/v1/similar", "POST, OPTIONS"},
		{"POST", "/v1/model", "GET, HEAD, OPTIONS"},
		{"DELETE", "/v1/topics", "GET, HEAD, OPTIONS"},
		{"HEAD", "/v1/encode", "POST, OPTIONS"},
		{"POST", "/", "GET, HEAD, OPTIONS"},
	} {
		res := do(t, s, c.method, c.path, "")
		wantError(t, res, 405, "method "+c.method+" not allowed")
		if a := res.Header.Get("Allow"); a != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, a, c.allow)
		}
	}
}

// TestHead: HEAD on a GET route answers GET's status and headers without
// a body (issue 13, item 9: it was 405).
func TestHead(t *testing.T) {
	srv := httptest.NewServer(newService())
	defer srv.Close()
	for _, p := range []string{"/", "/v1/model", "/v1/topics?n=3"} {
		get, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, get.Body)
		get.Body.Close()
		head, err := http.Head(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, head.Body)
		head.Body.Close()
		if head.StatusCode != 200 || n != 0 {
			t.Errorf("HEAD %s: %d with %d body bytes", p, head.StatusCode, n)
		}
		for _, k := range []string{"Content-Type", "Content-Length", "Cache-Control"} {
			if g, h := get.Header.Get(k), head.Header.Get(k); g != h || g == "" {
				t.Errorf("HEAD %s: %s %q, GET's %q", p, k, h, g)
			}
		}
	}
	head, err := http.Head(srv.URL + "/v1/topics?n=0")
	if err != nil || head.StatusCode != 400 {
		t.Errorf("HEAD with a bad query: %v %v", head.StatusCode, err)
	}
}

func TestPreflight(t *testing.T) {
	s := newService()
	req := httptest.NewRequest("OPTIONS", "/v1/encode", nil)
	req.Header.Set("Origin", "https://example.com")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	res := rec.Result()
	if res.StatusCode != 204 || rec.Body.Len() != 0 {
		t.Fatalf("status %d with %d body bytes", res.StatusCode, rec.Body.Len())
	}
	for k, v := range map[string]string{
		"Access-Control-Allow-Origin":  "*",
		"Access-Control-Allow-Methods": "POST, OPTIONS",
		"Access-Control-Allow-Headers": "Content-Type",
		"Access-Control-Max-Age":       "86400",
	} {
		if got := res.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	res = do(t, s, "OPTIONS", "/v1/model", "")
	if res.StatusCode != 204 || res.Header.Get("Access-Control-Allow-Methods") != "GET, HEAD, OPTIONS" {
		t.Errorf("OPTIONS /v1/model: %d %q", res.StatusCode, res.Header.Get("Access-Control-Allow-Methods"))
	}
	wantError(t, do(t, s, "OPTIONS", "/nope", ""), 404, "no route")
}

func TestPanicIsRecovered(t *testing.T) {
	s := newService()
	s.routes["/boom"] = route{[]string{"GET"}, func(*Service, *http.Request) (int, any) {
		panic("secret internal detail")
	}}
	res := do(t, s, "GET", "/boom", "")
	wantError(t, res, 500, "internal error")
	b, _ := json.Marshal(res.Header)
	if strings.Contains(string(b), "secret") {
		t.Errorf("headers leak the panic: %s", b)
	}
	// The service still works afterwards.
	if res := do(t, s, "GET", "/v1/model", ""); res.StatusCode != 200 {
		t.Errorf("after a panic: status %d", res.StatusCode)
	}
}

// A handler result that cannot be encoded as JSON is a 500, not a panic.
func TestUnencodableResult(t *testing.T) {
	s := newService()
	s.routes["/nan"] = route{[]string{"GET"}, func(*Service, *http.Request) (int, any) {
		return 200, map[string]float64{"x": nanValue()}
	}}
	wantError(t, do(t, s, "GET", "/nan", ""), 500, "internal error")
}

func TestBadModelFile(t *testing.T) {
	bad := append([]byte(nil), model.File...)
	bad[len(bad)/2] ^= 0xff // breaks the checksum
	for _, file := range [][]byte{nil, []byte("not a model"), bad} {
		s := New(Config{Model: file})
		if _, err := s.Model(); err == nil {
			t.Fatal("Model() accepted a bad file")
		}
		for _, c := range []struct{ method, path, body string }{
			{"GET", "/v1/model", ""},
			{"GET", "/v1/topics", ""},
			{"POST", "/v1/encode", `{"texts": ["a"]}`},
			{"POST", "/v1/similar", `{"query": "a", "texts": ["a"]}`},
		} {
			res := do(t, s, c.method, c.path, c.body)
			wantError(t, res, 500, "the service's model is unavailable")
		}
		// Routes that do not need the model still work; bad requests are
		// still reported as such.
		if res := do(t, s, "GET", "/", ""); res.StatusCode != 200 {
			t.Errorf("GET /: %d", res.StatusCode)
		}
		wantError(t, do(t, s, "POST", "/v1/encode", "{"), 400, "malformed JSON")
	}
}

func TestLimitsDefaults(t *testing.T) {
	if got := New(Config{}).Limits(); got != DefaultLimits() {
		t.Errorf("zero limits gave %+v", got)
	}
	custom := Limits{MaxBodyBytes: 10, MaxTexts: 2, MaxTextBytes: 3, MaxTopicWords: 4}
	if got := New(Config{Limits: custom}).Limits(); got != custom {
		t.Errorf("limits %+v, want %+v", got, custom)
	}
	s := New(Config{Model: model.File, Limits: Limits{MaxTexts: 2, MaxTextBytes: 3, MaxTopicWords: 4}})
	wantError(t, do(t, s, "POST", "/v1/encode", `{"texts": ["a", "b", "c"]}`), 413, "3 texts is over the limit of 2")
	wantError(t, do(t, s, "POST", "/v1/encode", `{"texts": ["abcd"]}`), 413, "text 0 is 4 bytes")
	wantError(t, do(t, s, "GET", "/v1/topics?n=5", ""), 400, "[1, 4]")
}

func TestConcurrentRequests(t *testing.T) {
	m := testModel()
	s := newService()
	want := m.Encode(sampleTexts[:3])
	body := mustJSON(EncodeRequest{sampleTexts[:3]})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := httptest.NewRequest("POST", "/v1/encode", strings.NewReader(body))
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			var got EncodeResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != 200 {
				errs <- fmt.Errorf("status %d: %v", rec.Code, err)
				return
			}
			if !reflect.DeepEqual(got.Data, want) {
				errs <- fmt.Errorf("different embeddings")
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// The served handler works end to end over a real loopback connection.
func TestOverHTTP(t *testing.T) {
	srv := httptest.NewServer(newService())
	defer srv.Close()
	res, err := http.Post(srv.URL+"/v1/encode", "application/json", strings.NewReader(`{"texts": ["hello world"]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var got EncodeResponse
	decodeBody(t, res, &got)
	if res.StatusCode != 200 || got.Dims != [2]int{1, 64} || len(got.Data) != 64 {
		t.Errorf("status %d dims %v with %d values", res.StatusCode, got.Dims, len(got.Data))
	}
}

func nanValue() float64 { return math.NaN() }

// The benchmarks measure one request on a fresh Service, as every request
// on Workers runs in a fresh instance: parsing the model file is included.
func benchmarkRequest(b *testing.B, method, target, body string) {
	b.ReportAllocs()
	for b.Loop() {
		s := newService()
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(method, target, r))
		if rec.Code != 200 {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

func BenchmarkParseModel(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := kate.UnmarshalModel(model.File); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIndex(b *testing.B)  { benchmarkRequest(b, "GET", "/", "") }
func BenchmarkModel(b *testing.B)  { benchmarkRequest(b, "GET", "/v1/model", "") }
func BenchmarkTopics(b *testing.B) { benchmarkRequest(b, "GET", "/v1/topics?n=10", "") }
func BenchmarkEncode1(b *testing.B) {
	benchmarkRequest(b, "POST", "/v1/encode", mustJSON(EncodeRequest{sampleTexts[:1]}))
}
func BenchmarkEncode8(b *testing.B) {
	benchmarkRequest(b, "POST", "/v1/encode", mustJSON(EncodeRequest{sampleTexts}))
}
