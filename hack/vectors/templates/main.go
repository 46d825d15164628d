// Command templates renders the template test vectors with Go's own
// text/template and sprig, so the TypeScript engine can be checked against
// the real implementation. It reads a JSON corpus ([{name, template, data}])
// and writes the golden file ([{name, output} | {name, error, message}]).
//
// The default function map mirrors what the upstream agent offers in naming
// and related-object templates: sprig's TxtFuncMap, `join` replaced by
// strings.Join, and the extra hash helpers sha3sum, sha3short and shortHash.
// A vector may ask for sprig alone ("funcs": "sprig"), as template mutations
// get it.
//
// Template data is decoded from JSON into `any` with encoding/json (numbers
// are float64), or with Kubernetes' decoder for unstructured objects
// ("decode": "kubernetes"; whole numbers are int64), which is how upstream's
// objects reach its templates. The rendered text is trimmed like upstream's.
//
// Usage: go run . INPUT.json OUTPUT.json
package main

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"golang.org/x/crypto/sha3"
	kjson "sigs.k8s.io/json"
)

type vector struct {
	Name     string          `json:"name"`
	Template string          `json:"template"`
	Data     json.RawMessage `json:"data"`
	// Funcs selects the function map: "agent" (default; naming and related
	// templates) or "sprig" (sprig only, as upstream's template mutations).
	Funcs string `json:"funcs,omitempty"`
	// Decode selects how data is decoded: "json" (default; encoding/json,
	// numbers are float64) or "kubernetes" (Kubernetes' decoder for
	// unstructured objects, whole numbers are int64), which is what
	// upstream's templates see in .Object.
	Decode string `json:"decode,omitempty"`
}

type result struct {
	Name    string  `json:"name"`
	Output  *string `json:"output,omitempty"`
	Error   bool    `json:"error,omitempty"`
	Message string  `json:"message,omitempty"`
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: templates INPUT.json OUTPUT.json")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(inPath, outPath string) error {
	raw, err := os.ReadFile(inPath)
	if err != nil {
		return err
	}
	var vectors []vector
	if err := json.Unmarshal(raw, &vectors); err != nil {
		return fmt.Errorf("failed to decode %s: %w", inPath, err)
	}
	seen := map[string]bool{}
	results := make([]result, 0, len(vectors))
	for _, v := range vectors {
		if seen[v.Name] {
			return fmt.Errorf("duplicate vector name %q", v.Name)
		}
		seen[v.Name] = true
		res, err := render(v)
		if err != nil {
			return fmt.Errorf("vector %q: %w", v.Name, err)
		}
		results = append(results, res)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(results); err != nil {
		return err
	}
	return os.WriteFile(outPath, buf.Bytes(), 0o644)
}

// render returns the vector's outcome; the error is only for a broken corpus.
func render(v vector) (result, error) {
	data, err := decode(v)
	if err != nil {
		return result{}, err
	}
	funcs, err := funcMap(v.Funcs)
	if err != nil {
		return result{}, err
	}
	tpl, err := template.New("inline").Funcs(funcs).Parse(v.Template)
	if err != nil {
		return result{Name: v.Name, Error: true, Message: err.Error()}, nil
	}
	var out bytes.Buffer
	if err := tpl.Execute(&out, data); err != nil {
		return result{Name: v.Name, Error: true, Message: err.Error()}, nil
	}
	text := strings.TrimSpace(out.String())
	return result{Name: v.Name, Output: &text}, nil
}

func decode(v vector) (any, error) {
	var data any
	if len(v.Data) == 0 {
		return nil, nil
	}
	var err error
	switch v.Decode {
	case "", "json":
		err = json.Unmarshal(v.Data, &data)
	case "kubernetes":
		err = kjson.UnmarshalCaseSensitivePreserveInts(v.Data, &data)
	default:
		err = fmt.Errorf("unknown decoder %q", v.Decode)
	}
	if err != nil {
		return nil, fmt.Errorf("bad data: %w", err)
	}
	return data, nil
}

func funcMap(set string) (template.FuncMap, error) {
	funcs := sprig.TxtFuncMap()
	switch set {
	case "sprig":
		return funcs, nil
	case "", "agent":
		funcs["join"] = strings.Join
		funcs["sha3sum"] = sha3Hex
		funcs["sha3short"] = sha3Prefix
		funcs["shortHash"] = sha1Prefix
		return funcs, nil
	default:
		return nil, fmt.Errorf("unknown function set %q", set)
	}
}

func sha3Hex(s string) string {
	sum := sha3.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// sha3Prefix is `sha3short STR [LEN]`: the first LEN (default 20) hex
// characters of sha3Hex, capped at the full digest.
func sha3Prefix(s string, n ...int) (string, error) {
	length := 20
	switch len(n) {
	case 0:
	case 1:
		length = n[0]
	default:
		return "", fmt.Errorf("sha3short: expected at most one length argument, got %d", len(n))
	}
	if length <= 0 {
		return "", fmt.Errorf("sha3short: invalid length %d", length)
	}
	return sha3Hex(s)[:min(length, 64)], nil
}

// sha1Prefix is the legacy `shortHash`: the first 20 hex characters of SHA-1.
func sha1Prefix(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])[:20]
}
