package kate

const (
	// Version is the library version shared by Go, JS and package.json:
	// the Go packages, the command-line tool, the WebAssembly bridge and
	// the JavaScript package all report this string.
	Version = "0.1.0"
	// FormatVersion is the version of the model file written by Save.
	// Load also reads version 1.
	FormatVersion = 2
)
