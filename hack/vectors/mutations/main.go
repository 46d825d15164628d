// Command mutations writes the golden answers for the mutation-engine test
// vectors: it runs each input case through the real Go libraries upstream's
// mutation rules are built on (tidwall/gjson, tidwall/sjson, google/cel-go and
// Go's regexp) in the way our TypeScript engine is specified to behave, so the
// unit tests can compare the two exactly.
//
//	go run . <input.json> <golden.json>
//
// Objects are decoded as Kubernetes decodes them (integers as int64, other
// numbers as float64), encoded with encoding/json for gjson/sjson, and the
// results decoded again with encoding/json, as upstream does between rules.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/decls"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/common/types/traits"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// vector is one input case; which fields matter depends on Kind.
type vector struct {
	Name        string          `json:"name"`
	Kind        string          `json:"kind"`
	Path        string          `json:"path"`
	Value       json.RawMessage `json:"value,omitempty"`
	Pattern     string          `json:"pattern,omitempty"`
	Replacement string          `json:"replacement,omitempty"`
	Expression  string          `json:"expression,omitempty"`
	Object      json.RawMessage `json:"object"`
	Other       json.RawMessage `json:"other,omitempty"`
}

// answer is one golden entry: either a result or an error.
type answer struct {
	Name    string `json:"name"`
	Result  any    `json:"result,omitempty"`
	Error   bool   `json:"error,omitempty"`
	Message string `json:"message,omitempty"`
}

// getAnswer describes a gjson result through the accessors we mirror.
type getAnswer struct {
	Exists bool    `json:"exists"`
	Type   string  `json:"type"`
	Raw    string  `json:"raw"`
	String string  `json:"string"`
	Value  any     `json:"value"`
	Int    int64   `json:"int"`
	Float  *string `json:"float"`
	Bool   bool    `json:"bool"`
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: mutations <input.json> <golden.json>")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(inPath, outPath string) error {
	data, err := os.ReadFile(inPath)
	if err != nil {
		return err
	}
	var vectors []vector
	if err := json.Unmarshal(data, &vectors); err != nil {
		return fmt.Errorf("failed to parse %s: %w", inPath, err)
	}
	seen := map[string]bool{}
	answers := make([]answer, 0, len(vectors))
	for _, v := range vectors {
		if seen[v.Name] {
			return fmt.Errorf("duplicate vector name %q", v.Name)
		}
		seen[v.Name] = true
		answers = append(answers, solve(v))
	}
	// One answer per line: compact, and a changed answer is a one-line diff.
	var buf bytes.Buffer
	buf.WriteString("[\n")
	for i, a := range answers {
		line, err := json.Marshal(a)
		if err != nil {
			return fmt.Errorf("failed to encode the answer to %q: %w", a.Name, err)
		}
		buf.Write(line)
		if i < len(answers)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
	}
	buf.WriteString("]\n")
	return os.WriteFile(outPath, buf.Bytes(), 0o644)
}

func solve(v vector) answer {
	result, err := dispatch(v)
	if err != nil {
		return answer{Name: v.Name, Error: true, Message: err.Error()}
	}
	return answer{Name: v.Name, Result: result}
}

func dispatch(v vector) (any, error) {
	obj, err := decodeKube(v.Object)
	if err != nil {
		return nil, fmt.Errorf("bad object: %w", err)
	}
	encoded, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	doc := string(encoded)
	switch v.Kind {
	case "get":
		return describe(gjson.Get(doc, v.Path)), nil
	case "set":
		value, err := decodeKube(v.Value)
		if err != nil {
			return nil, fmt.Errorf("bad value: %w", err)
		}
		return decoded(sjson.Set(doc, v.Path, value))
	case "delete":
		return decoded(sjson.Delete(doc, v.Path))
	case "regex":
		return decoded(applyRegex(doc, v))
	case "cel":
		return applyCEL(doc, obj, v)
	}
	return nil, fmt.Errorf("unknown kind %q", v.Kind)
}

// decodeKube decodes JSON the way Kubernetes decodes unstructured objects:
// integers become int64, other numbers float64.
func decodeKube(raw json.RawMessage) (any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return convertNumbers(v), nil
}

func convertNumbers(v any) any {
	switch t := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(t), 10, 64); err == nil {
			return i
		}
		f, _ := strconv.ParseFloat(string(t), 64)
		return f
	case map[string]any:
		for k, x := range t {
			t[k] = convertNumbers(x)
		}
	case []any:
		for i, x := range t {
			t[i] = convertNumbers(x)
		}
	}
	return v
}

// decoded turns sjson's output back into a value, as upstream's DecodeObject does.
func decoded(doc string, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	var out any
	if err := json.Unmarshal([]byte(doc), &out); err != nil {
		return nil, fmt.Errorf("sjson produced invalid JSON: %w", err)
	}
	return out, nil
}

func describe(r gjson.Result) getAnswer {
	a := getAnswer{
		Exists: r.Exists(),
		Type:   r.Type.String(),
		Raw:    r.Raw,
		String: r.String(),
		Value:  r.Value(),
		Int:    r.Int(),
		Bool:   r.Bool(),
	}
	if f := r.Float(); !math.IsNaN(f) && !math.IsInf(f, 0) {
		s := strconv.FormatFloat(f, 'g', -1, 64)
		a.Float = &s
	}
	return a
}

// applyRegex: an empty pattern replaces the value; otherwise ReplaceAllString
// on gjson's String() of the value. The result is always a string.
func applyRegex(doc string, v vector) (string, error) {
	if v.Pattern == "" {
		return sjson.Set(doc, v.Path, v.Replacement)
	}
	re, err := regexp.Compile(v.Pattern)
	if err != nil {
		return "", fmt.Errorf("invalid pattern: %w", err)
	}
	current := gjson.Get(doc, v.Path).String()
	return sjson.Set(doc, v.Path, re.ReplaceAllString(current, v.Replacement))
}

// applyCEL: variables value (gjson Value() at path), self and other (the
// objects as Kubernetes decodes them), all dyn; the result converted to plain
// JSON and written at path.
func applyCEL(doc string, obj any, v vector) (any, error) {
	env, err := cel.NewEnv(cel.VariableDecls(
		decls.NewVariable("self", cel.DynType),
		decls.NewVariable("other", cel.DynType),
		decls.NewVariable("value", cel.DynType),
	))
	if err != nil {
		return nil, err
	}
	ast, issues := env.Compile(v.Expression)
	if issues != nil && issues.Err() != nil {
		return nil, fmt.Errorf("compile: %w", issues.Err())
	}
	prg, err := env.Program(ast)
	if err != nil {
		return nil, fmt.Errorf("program: %w", err)
	}
	other, err := decodeKube(v.Other)
	if err != nil {
		return nil, fmt.Errorf("bad other: %w", err)
	}
	out, _, err := prg.Eval(map[string]any{
		"value": gjson.Get(doc, v.Path).Value(),
		"self":  obj,
		"other": other,
	})
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	native, err := celToJSON(out)
	if err != nil {
		return nil, err
	}
	return decoded(sjson.Set(doc, v.Path, native))
}

// celToJSON converts a CEL value to plain JSON data: null, bool, int64,
// uint64, finite float64, string, bytes as base64, timestamps and durations
// in CEL's string form, lists, and maps with string keys.
func celToJSON(v ref.Val) (any, error) {
	switch t := v.(type) {
	case types.Null:
		return nil, nil
	case types.Bool:
		return bool(t), nil
	case types.Int:
		return int64(t), nil
	case types.Uint:
		return uint64(t), nil
	case types.Double:
		f := float64(t)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("cannot represent %v in JSON", f)
		}
		return f, nil
	case types.String:
		return string(t), nil
	case types.Bytes:
		return base64.StdEncoding.EncodeToString(t), nil
	case types.Timestamp, types.Duration:
		return string(v.ConvertToType(types.StringType).(types.String)), nil
	case traits.Mapper:
		return mapToJSON(t)
	case traits.Lister:
		return listToJSON(t)
	}
	return nil, fmt.Errorf("cannot represent a CEL %s in JSON", v.Type().TypeName())
}

func listToJSON(l traits.Lister) (any, error) {
	out := []any{}
	for it := l.Iterator(); it.HasNext() == types.True; {
		x, err := celToJSON(it.Next())
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

func mapToJSON(m traits.Mapper) (any, error) {
	out := map[string]any{}
	for it := m.Iterator(); it.HasNext() == types.True; {
		k := it.Next()
		key, ok := k.(types.String)
		if !ok {
			return nil, errors.New("map keys must be strings")
		}
		x, err := celToJSON(m.Get(k))
		if err != nil {
			return nil, err
		}
		out[string(key)] = x
	}
	return out, nil
}
