// Vector generator for the mutation engine's unit tests: runs the cases in
// test/fixtures/vectors/mutations.input.json through gjson, sjson, cel-go and
// Go's regexp (the versions upstream api-syncagent v0.7 pins). Run it with
// hack/vectors/mutations.sh.
module local/vectors/mutations

go 1.24

require (
	github.com/google/cel-go v0.26.0
	github.com/tidwall/gjson v1.18.0
	github.com/tidwall/sjson v1.2.5
)

require (
	cel.dev/expr v0.24.0 // indirect
	github.com/antlr4-go/antlr/v4 v4.13.0 // indirect
	github.com/stoewer/go-strcase v1.2.0 // indirect
	github.com/tidwall/match v1.1.1 // indirect
	github.com/tidwall/pretty v1.2.0 // indirect
	golang.org/x/exp v0.0.0-20230515195305-f3d0a9c9a5cc // indirect
	google.golang.org/genproto/googleapis/api v0.0.0-20240826202546-f6391c0de4c7 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20240826202546-f6391c0de4c7 // indirect
	google.golang.org/protobuf v1.34.2 // indirect
)
