module github.com/kate-web/kate

go 1.26.8

require (
	github.com/syumai/workers v0.30.2
	gonum.org/v1/gonum v0.17.0
)

require golang.org/x/tools v0.30.0 // indirect
