// Command check tests a running KATE embedding service over HTTP (the
// Workers build under wrangler dev, started by worker/test.sh): it measures
// the first and the warm request latencies, sends good and bad requests,
// checks that the service's embeddings, neighbours and topics equal those
// computed natively by the kate package (and, when given, by the kate CLI)
// for the same model file and texts, and runs a bounded load check. It exits
// with status 1 when any check fails.
//
//	go run ./worker/internal/check -url http://127.0.0.1:8787 -model worker/model/default.kate \
//	    -texts texts.jsonl [-cli-f32 cli.f32] [-requests 200 -concurrency 8]
//
// With -write-texts it only writes the texts to check, {"text": ...} per
// line, taken from a JSON Lines corpus (optionally .gz), and exits:
//
//	go run ./worker/internal/check -write-texts texts.jsonl -corpus testdata/20news-sample.jsonl.gz -split test -n 64
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kate-web/kate/dataset"
	"github.com/kate-web/kate/kate"
	"github.com/kate-web/kate/worker/service"
)

// tolerance is the largest difference allowed between the service's and the
// native embeddings.
const tolerance = 1e-6

type checker struct {
	base   string
	client *http.Client
	model  *kate.Model
	file   []byte
	texts  []string
	failed int
	limits service.Limits
}

func main() {
	base := flag.String("url", "", "base URL of the running service, e.g. http://127.0.0.1:8787")
	modelPath := flag.String("model", "", "the model file the service embeds")
	textsPath := flag.String("texts", "", "JSON Lines file of texts (field \"text\") to encode")
	cliF32 := flag.String("cli-f32", "", "optional: `kate encode` output (.f32) for the same texts and model")
	wait := flag.Duration("wait", 60*time.Second, "how long to wait for the service to accept connections")
	warm := flag.Int("warm", 20, "warm requests per measured route")
	requests := flag.Int("requests", 200, "load check: number of requests")
	concurrency := flag.Int("concurrency", 8, "load check: concurrent clients")
	perRequest := flag.Int("load-texts", 4, "load check: texts per /v1/encode request")
	timeout := flag.Duration("timeout", 3*time.Minute, "overall time limit")
	writeTexts := flag.String("write-texts", "", "write the texts to check to this `file` and exit")
	corpus := flag.String("corpus", "", "with -write-texts: the JSON Lines corpus (optionally .gz) to take texts from")
	split := flag.String("split", "test", "with -write-texts: keep the records of this split (empty: all)")
	count := flag.Int("n", 64, "with -write-texts: number of texts")
	flag.Parse()
	if *writeTexts != "" {
		if err := writeSample(*writeTexts, *corpus, *split, *count); err != nil {
			fmt.Fprintln(os.Stderr, "check:", err)
			os.Exit(1)
		}
		return
	}
	if *base == "" || *modelPath == "" || *textsPath == "" {
		fmt.Fprintln(os.Stderr, "usage: check -url URL -model FILE -texts FILE [-cli-f32 FILE]")
		os.Exit(2)
	}
	if err := run(*base, *modelPath, *textsPath, *cliF32, *wait, *warm, *requests, *concurrency, *perRequest, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "check:", err)
		os.Exit(1)
	}
}

func run(base, modelPath, textsPath, cliF32 string, wait time.Duration, warm, requests, concurrency, perRequest int, timeout time.Duration) error {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return fmt.Errorf("bad -url %q", base)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-url must be a loopback address, got %q", host)
	}
	file, err := os.ReadFile(modelPath)
	if err != nil {
		return err
	}
	m, err := kate.UnmarshalModel(file)
	if err != nil {
		return err
	}
	texts, err := readTexts(textsPath)
	if err != nil {
		return err
	}
	if len(texts) < 2 {
		return fmt.Errorf("%s: need at least 2 texts, got %d", textsPath, len(texts))
	}
	c := &checker{
		base: strings.TrimRight(base, "/"),
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			MaxIdleConnsPerHost: concurrency, DisableCompression: true,
		}},
		model: m, file: file, texts: texts, limits: service.DefaultLimits(),
	}
	done := make(chan error, 1)
	go func() {
		if err := waitListening(u.Host, wait); err != nil {
			done <- err
			return
		}
		c.latency(warm)
		c.good(cliF32)
		c.bad()
		c.load(requests, concurrency, perRequest)
		if c.failed > 0 {
			done <- fmt.Errorf("%d checks failed", c.failed)
			return
		}
		done <- nil
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		return fmt.Errorf("timed out after %v", timeout)
	}
}

// waitListening waits until addr accepts TCP connections, without sending a
// request, so that the first request measured is the service's first.
func waitListening(addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not accept connections within %v: %v", addr, limit, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// writeSample writes the first n texts of the split of a corpus (read by
// dataset.Load) to path, one {"text": ...} object per line.
func writeSample(path, corpus, split string, n int) error {
	docs, err := dataset.Load(corpus, dataset.Options{Split: split, MaxDocs: n})
	if err != nil {
		return err
	}
	var out bytes.Buffer
	for _, d := range docs {
		b, _ := json.Marshal(map[string]string{"text": d.Text})
		out.Write(append(b, '\n'))
	}
	return os.WriteFile(path, out.Bytes(), 0o644)
}

// readTexts returns the texts of a corpus written by writeSample.
func readTexts(path string) ([]string, error) {
	docs, err := dataset.Load(path, dataset.Options{})
	if err != nil {
		return nil, err
	}
	texts := make([]string, len(docs))
	for i, d := range docs {
		texts[i] = d.Text
	}
	return texts, nil
}

func (c *checker) pass(format string, a ...any) {
	fmt.Printf("ok    "+format+"\n", a...)
}

func (c *checker) fail(format string, a ...any) {
	c.failed++
	fmt.Printf("FAIL  "+format+"\n", a...)
}

// response is one HTTP exchange's outcome.
type response struct {
	status int
	header http.Header
	body   []byte
	took   time.Duration
}

func (c *checker) send(method, path, contentType string, body []byte) (*response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	start := time.Now()
	res, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	return &response{res.StatusCode, res.Header, b, time.Since(start)}, nil
}

func (c *checker) get(path string) (*response, error) { return c.send("GET", path, "", nil) }

func (c *checker) post(path string, v any) (*response, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return c.send("POST", path, "application/json", b)
}

// expectJSON checks a 200 JSON answer and decodes it into v.
func (c *checker) expectJSON(what string, res *response, err error, v any) bool {
	if err != nil {
		c.fail("%s: %v", what, err)
		return false
	}
	if res.status != 200 {
		c.fail("%s: status %d: %s", what, res.status, clip(res.body))
		return false
	}
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		c.fail("%s: Content-Type %q", what, ct)
		return false
	}
	if o := res.header.Get("Access-Control-Allow-Origin"); o != "*" {
		c.fail("%s: Access-Control-Allow-Origin %q", what, o)
		return false
	}
	if err := json.Unmarshal(res.body, v); err != nil {
		c.fail("%s: decoding %s: %v", what, clip(res.body), err)
		return false
	}
	return true
}

func clip(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}

// latency measures the first request (a fresh isolate: the wasm module's
// compilation and first instance) and the warm latency of each route.
func (c *checker) latency(warm int) {
	encode1 := service.EncodeRequest{Texts: c.texts[:1]}
	res, err := c.post("/v1/encode", encode1)
	var er service.EncodeResponse
	if c.expectJSON("first request POST /v1/encode (1 text)", res, err, &er) {
		fmt.Printf("latency  first request (cold isolate)   POST /v1/encode, 1 text: %7.1f ms\n", ms(res.took))
	}
	batch := c.texts[:min(32, len(c.texts))]
	routes := []struct {
		name string
		call func() (*response, error)
	}{
		{"OPTIONS /v1/encode (preflight, no model)", func() (*response, error) { return c.send("OPTIONS", "/v1/encode", "", nil) }},
		{"GET / (no model)", func() (*response, error) { return c.get("/") }},
		{"GET /v1/model", func() (*response, error) { return c.get("/v1/model") }},
		{"GET /v1/topics?n=10", func() (*response, error) { return c.get("/v1/topics?n=10") }},
		{"POST /v1/encode, 1 text", func() (*response, error) { return c.post("/v1/encode", encode1) }},
		{fmt.Sprintf("POST /v1/encode, %d texts", len(batch)), func() (*response, error) {
			return c.post("/v1/encode", service.EncodeRequest{Texts: batch})
		}},
		{fmt.Sprintf("POST /v1/similar, %d texts", len(batch)), func() (*response, error) {
			return c.post("/v1/similar", service.SimilarRequest{Query: c.texts[0], Texts: batch})
		}},
	}
	for _, r := range routes {
		var times []time.Duration
		for range warm {
			res, err := r.call()
			if err != nil || res.status >= 300 {
				c.fail("warm %s: %v %v", r.name, err, res)
				break
			}
			times = append(times, res.took)
		}
		if len(times) > 0 {
			slices.Sort(times)
			fmt.Printf("latency  warm %-42s p50 %6.1f ms  p90 %6.1f ms  (n=%d)\n", r.name, ms(pct(times, 50)), ms(pct(times, 90)), len(times))
		}
	}
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// pct returns the p-th percentile of sorted durations (nearest rank).
func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// good checks the answers of valid requests against the native model.
func (c *checker) good(cliF32 string) {
	var idx service.Index
	res, err := c.get("/")
	if c.expectJSON("GET /", res, err, &idx) {
		c.pass("GET / lists %d routes", len(idx.Routes))
	}

	var info service.ModelInfo
	res, err = c.get("/v1/model")
	if c.expectJSON("GET /v1/model", res, err, &info) {
		sum := sha256.Sum256(c.file)
		p := c.model.Params()
		switch {
		case info.SHA256 != hex.EncodeToString(sum[:]):
			c.fail("GET /v1/model: sha256 %s, the model file's is %x", info.SHA256, sum)
		case info.Dim != p.Dim || info.K != p.Winners || info.VocabSize != c.model.Vocabulary().Len() || info.FormatVersion != int(binary.LittleEndian.Uint32(c.file[8:])):
			c.fail("GET /v1/model: %+v does not describe the model file", info)
		default:
			c.pass("GET /v1/model: format %d, K=%d, k=%d, V=%d, sha256 %s… matches the file", info.FormatVersion, info.Dim, info.K, info.VocabSize, info.SHA256[:12])
		}
	}

	var tr service.TopicsResponse
	res, err = c.get("/v1/topics?n=5")
	if c.expectJSON("GET /v1/topics?n=5", res, err, &tr) {
		want, _ := c.model.Topics(5)
		ok := len(tr.Topics) == len(want)
		for i := 0; ok && i < len(want); i++ {
			ok = tr.Topics[i].Unit == want[i].Unit && slices.Equal(tr.Topics[i].Words, want[i].Words) && slices.Equal(tr.Topics[i].Weights, want[i].Weights)
		}
		if ok {
			c.pass("GET /v1/topics?n=5: %d topics equal the native ones (unit 0: %s)", len(want), strings.Join(want[0].Words, " "))
		} else {
			c.fail("GET /v1/topics?n=5 differs from the native topics")
		}
	}

	// Encode every text: equal to the native encoding (and to the CLI's).
	want := c.model.Encode(c.texts)
	k := c.model.Dim()
	var got []float32
	for start := 0; start < len(c.texts); start += c.limits.MaxTexts {
		part := c.texts[start:min(start+c.limits.MaxTexts, len(c.texts))]
		var er service.EncodeResponse
		res, err := c.post("/v1/encode", service.EncodeRequest{Texts: part})
		if !c.expectJSON("POST /v1/encode", res, err, &er) {
			return
		}
		if er.Dims != [2]int{len(part), k} || len(er.Data) != len(part)*k {
			c.fail("POST /v1/encode: dims %v with %d values for %d texts", er.Dims, len(er.Data), len(part))
			return
		}
		got = append(got, er.Data...)
	}
	if d := maxDiff(got, want); d <= tolerance {
		c.pass("POST /v1/encode: %d texts x %d dims equal the native Go encoding (max |diff| %.3g)", len(c.texts), k, d)
	} else {
		c.fail("POST /v1/encode: max |diff| %.3g from the native Go encoding", d)
	}
	if cliF32 != "" {
		cli, err := readF32(cliF32)
		switch {
		case err != nil:
			c.fail("reading the CLI's embeddings: %v", err)
		case len(cli) != len(got):
			c.fail("the CLI wrote %d values, the service %d", len(cli), len(got))
		default:
			if d := maxDiff(got, cli); d <= tolerance {
				c.pass("POST /v1/encode: equal to `kate encode` (CLI) for the same model and texts (max |diff| %.3g)", d)
			} else {
				c.fail("POST /v1/encode: max |diff| %.3g from `kate encode`", d)
			}
		}
	}

	// Similar: the ranking of the native cosine similarities.
	texts := c.texts[:min(40, len(c.texts))]
	query := c.texts[len(c.texts)-1]
	n := 7
	var sr service.SimilarResponse
	res, err = c.post("/v1/similar", service.SimilarRequest{Query: query, Texts: texts, N: &n})
	if c.expectJSON("POST /v1/similar", res, err, &sr) {
		q := make([]float32, k)
		_ = c.model.EncodeTo(q, query)
		nb, _ := c.model.Nearest(q, c.model.Encode(texts), n)
		ok := len(sr.Results) == len(nb)
		for i := 0; ok && i < len(nb); i++ {
			ok = sr.Results[i].Index == nb[i].Index && math.Abs(float64(sr.Results[i].Score-nb[i].Score)) <= tolerance
		}
		if ok {
			c.pass("POST /v1/similar: top %d of %d texts equal the native ranking (best %d, score %.4f)", n, len(texts), nb[0].Index, nb[0].Score)
		} else {
			c.fail("POST /v1/similar: %+v, native %+v", sr.Results, nb)
		}
	}
}

func maxDiff(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range a {
		x := math.Abs(float64(a[i]) - float64(b[i]))
		if x > d || math.IsNaN(x) {
			d = x
		}
	}
	return d
}

func readF32(path string) ([]float32, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("%s: %d bytes is not a whole number of float32", path, len(b))
	}
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out, nil
}

// bad checks that invalid requests get the right status and a JSON error.
func (c *checker) bad() {
	lim := c.limits
	big := `{"texts": ["` + strings.Repeat("a", int(lim.MaxBodyBytes)) + `"]}`
	cases := []struct {
		name, method, path, body string
		status                   int
		header, value            string
	}{
		{"unknown path", "GET", "/nope", "", 404, "", ""},
		{"wrong method", "GET", "/v1/encode", "", 405, "Allow", "POST, OPTIONS"},
		{"wrong method", "DELETE", "/v1/model", "", 405, "Allow", "GET, HEAD, OPTIONS"},
		{"null text", "POST", "/v1/encode", `{"texts": ["a", null]}`, 400, "", ""},
		{"malformed JSON", "POST", "/v1/encode", `{"texts": [`, 400, "", ""},
		{"unknown field", "POST", "/v1/encode", `{"text": ["a"]}`, 400, "", ""},
		{"no texts", "POST", "/v1/encode", `{"texts": []}`, 400, "", ""},
		{"body too large", "POST", "/v1/encode", big, 413, "", ""},
		{"too many texts", "POST", "/v1/encode", mustJSON(service.EncodeRequest{Texts: make([]string, lim.MaxTexts+1)}), 413, "", ""},
		{"text too long", "POST", "/v1/encode", mustJSON(service.EncodeRequest{Texts: []string{strings.Repeat("b", lim.MaxTextBytes+1)}}), 413, "", ""},
		{"n = 0", "POST", "/v1/similar", `{"query": "a", "texts": ["a"], "n": 0}`, 400, "", ""},
		{"missing query", "POST", "/v1/similar", `{"texts": ["a"]}`, 400, "", ""},
		{"topics n = 0", "GET", "/v1/topics?n=0", "", 400, "", ""},
		{"topics n = x", "GET", "/v1/topics?n=x", "", 400, "", ""},
	}
	for _, tc := range cases {
		var body []byte
		if tc.body != "" {
			body = []byte(tc.body)
		}
		what := fmt.Sprintf("%s %s (%s)", tc.method, tc.path, tc.name)
		res, err := c.send(tc.method, tc.path, "application/json", body)
		if err != nil {
			c.fail("%s: %v", what, err)
			continue
		}
		var e struct {
			Error string `json:"error"`
		}
		switch {
		case res.status != tc.status:
			c.fail("%s: status %d, want %d: %s", what, res.status, tc.status, clip(res.body))
		case json.Unmarshal(res.body, &e) != nil || e.Error == "":
			c.fail("%s: body is not a JSON error: %s", what, clip(res.body))
		case res.header.Get("Access-Control-Allow-Origin") != "*":
			c.fail("%s: no CORS header on the error", what)
		case tc.header != "" && res.header.Get(tc.header) != tc.value:
			c.fail("%s: %s %q, want %q", what, tc.header, res.header.Get(tc.header), tc.value)
		default:
			c.pass("%s -> %d %q", what, res.status, e.Error)
		}
	}
	c.chunkedTooLarge()
	c.head()
	// CORS preflight.
	req, _ := http.NewRequest("OPTIONS", c.base+"/v1/similar", nil)
	req.Header.Set("Origin", "https://example.com")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type")
	res, err := c.client.Do(req)
	if err != nil {
		c.fail("OPTIONS /v1/similar: %v", err)
		return
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	h := res.Header
	if res.StatusCode == 204 && h.Get("Access-Control-Allow-Origin") == "*" && strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") && strings.EqualFold(h.Get("Access-Control-Allow-Headers"), "content-type") {
		c.pass("OPTIONS /v1/similar (CORS preflight) -> 204, methods %q", h.Get("Access-Control-Allow-Methods"))
	} else {
		c.fail("OPTIONS /v1/similar: status %d, headers %v", res.StatusCode, h)
	}
}

// chunkedTooLarge sends an oversized body without a Content-Length
// (chunked), then a small request, three times: each small request must
// succeed. Under workerd the request after a partly read body used to get
// 503 "Your worker restarted mid-request" (issue 13, item 2).
func (c *checker) chunkedTooLarge() {
	texts := make([]string, 1100)
	for i := range texts {
		texts[i] = strings.Repeat("space shuttle launch ", 50)
	}
	big := []byte(mustJSON(service.EncodeRequest{Texts: texts}))
	for round := range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		// A reader of unknown length: the client sends the body chunked.
		req, _ := http.NewRequestWithContext(ctx, "POST", c.base+"/v1/encode", io.MultiReader(bytes.NewReader(big)))
		req.Header.Set("Content-Type", "application/json")
		res, err := c.client.Do(req)
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
		cancel()
		if err != nil || res.StatusCode != 413 {
			c.fail("chunked body of %d bytes (round %d): %v, want 413", len(big), round, statusOr(res, err))
			return
		}
		small, err := c.post("/v1/encode", service.EncodeRequest{Texts: []string{"space"}})
		if err != nil || small.status != 200 {
			body := []byte(nil)
			if small != nil {
				body = small.body
			}
			c.fail("request after a chunked body over the limit (round %d): %v: %s", round, statusOrResp(small, err), clip(body))
			return
		}
	}
	c.pass("chunked body of %d bytes -> 413, and the next request -> 200 (3 times)", len(big))
}

// head checks HEAD on the GET routes: GET's status and headers, no body.
func (c *checker) head() {
	for _, p := range []string{"/", "/v1/model", "/v1/topics?n=3"} {
		get, err1 := c.get(p)
		hd, err2 := c.send("HEAD", p, "", nil)
		switch {
		case err1 != nil || err2 != nil:
			c.fail("HEAD %s: %v %v", p, err1, err2)
		case hd.status != 200 || len(hd.body) != 0:
			c.fail("HEAD %s: status %d with %d body bytes", p, hd.status, len(hd.body))
		case hd.header.Get("Content-Type") != get.header.Get("Content-Type"):
			c.fail("HEAD %s: Content-Type %q, GET's %q", p, hd.header.Get("Content-Type"), get.header.Get("Content-Type"))
		default:
			c.pass("HEAD %s -> 200, no body", p)
		}
	}
}

func statusOr(res *http.Response, err error) any {
	if err != nil {
		return err
	}
	return res.StatusCode
}

func statusOrResp(res *response, err error) any {
	if err != nil {
		return err
	}
	return res.status
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// load sends requests POST /v1/encode requests from concurrency clients and
// reports the throughput and latency percentiles; every answer must be a
// correct 200.
func (c *checker) load(requests, concurrency, perRequest int) {
	if requests < 1 || concurrency < 1 {
		return
	}
	perRequest = max(1, min(perRequest, len(c.texts)))
	k := c.model.Dim()
	jobs := make(chan int)
	var mu sync.Mutex
	var times []time.Duration
	var errs []error
	var wg sync.WaitGroup
	start := time.Now()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				from := (i * perRequest) % (len(c.texts) - perRequest + 1)
				texts := c.texts[from : from+perRequest]
				var er service.EncodeResponse
				res, err := c.post("/v1/encode", service.EncodeRequest{Texts: texts})
				if err == nil && res.status != 200 {
					err = fmt.Errorf("status %d: %s", res.status, clip(res.body))
				}
				if err == nil {
					if err = json.Unmarshal(res.body, &er); err == nil && (er.Dims != [2]int{perRequest, k} || len(er.Data) != perRequest*k) {
						err = fmt.Errorf("dims %v with %d values", er.Dims, len(er.Data))
					}
				}
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					times = append(times, res.took)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range requests {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(times)
	fmt.Printf("load     %d x POST /v1/encode (%d texts each), concurrency %d: %.1f requests/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d errors\n",
		requests, perRequest, concurrency, float64(len(times))/elapsed.Seconds(), ms(pct(times, 50)), ms(pct(times, 99)), ms(pct(times, 100)), len(errs))
	if len(errs) > 0 {
		c.fail("load check: %d of %d requests failed, first: %v", len(errs), requests, errs[0])
	} else {
		c.pass("load check: %d requests without error", requests)
	}
}
