module github.com/kate-web/kate

go 1.26.8

require (
	github.com/kljensen/snowball v0.10.0
	gonum.org/v1/gonum v0.17.0
)
