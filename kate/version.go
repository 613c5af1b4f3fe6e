package kate

// Version is the library version shared by Go, JS and package.json: the Go
// packages, the command-line tool, the WebAssembly bridge and the
// JavaScript package all report this string.
const Version = "0.1.0"
