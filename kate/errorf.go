package kate

import (
	"errors"
	"strconv"
	"unicode/utf8"
)

var (
	// ErrFormat is wrapped by every error about a malformed model file.
	ErrFormat = errors.New("kate: invalid model file")
	// ErrMemory is wrapped by the errors that refuse work because it would
	// need more memory than allowed: a corpus larger than a CorpusBuilder's
	// bound, or a training run larger than a caller's budget (see
	// Config.TrainMemory).
	ErrMemory = errors.New("not enough memory")
)

// errorf and sprintf format like fmt.Errorf and fmt.Sprintf for the verbs
// this package uses (%d %v %s %q %c %w) and the argument types it passes,
// without package fmt: fmt (and the reflection it needs) adds about 100 KB
// to the gzipped WebAssembly build. %w wraps its error argument as
// fmt.Errorf does.
func errorf(format string, a ...any) error {
	msg, wrapped := format2(format, a)
	if wrapped != nil {
		return &wrapError{msg: msg, err: wrapped}
	}
	return &plainError{msg}
}

func sprintf(format string, a ...any) string {
	msg, _ := format2(format, a)
	return msg
}

type plainError struct{ msg string }

func (e *plainError) Error() string { return e.msg }

type wrapError struct {
	msg string
	err error
}

func (e *wrapError) Error() string { return e.msg }
func (e *wrapError) Unwrap() error { return e.err }

func format2(format string, a []any) (string, error) {
	var out []byte
	var wrapped error
	arg := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			out = append(out, c)
			continue
		}
		i++
		verb := format[i]
		if verb == '%' {
			out = append(out, '%')
			continue
		}
		if arg >= len(a) {
			out = append(out, "%!"...)
			out = append(out, verb)
			out = append(out, "(MISSING)"...)
			continue
		}
		v := a[arg]
		arg++
		if e, ok := v.(error); ok && verb == 'w' {
			wrapped = e
		}
		out = appendArg(out, verb, v)
	}
	return string(out), wrapped
}

func appendArg(out []byte, verb byte, v any) []byte {
	switch x := v.(type) {
	case error:
		return append(out, x.Error()...)
	case string:
		if verb == 'q' {
			return strconv.AppendQuote(out, x)
		}
		return append(out, x...)
	case int:
		return strconv.AppendInt(out, int64(x), 10)
	case int32:
		if verb == 'c' {
			return utf8.AppendRune(out, x)
		}
		return strconv.AppendInt(out, int64(x), 10)
	case int64:
		return strconv.AppendInt(out, x, 10)
	case uint8:
		return strconv.AppendUint(out, uint64(x), 10)
	case uint32:
		return strconv.AppendUint(out, uint64(x), 10)
	case uint64:
		return strconv.AppendUint(out, x, 10)
	case GradMode:
		if verb == 'd' {
			return strconv.AppendUint(out, uint64(x), 10)
		}
		return append(out, x.String()...)
	case float32:
		return strconv.AppendFloat(out, float64(x), 'g', -1, 32)
	case float64:
		return strconv.AppendFloat(out, x, 'g', -1, 64)
	case bool:
		return strconv.AppendBool(out, x)
	}
	return append(out, "%!"+string(verb)+"(?)"...)
}
