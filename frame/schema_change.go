package frame

import "fmt"

// Schema change kinds and targets of SCHEMA_CHANGE events and results.
const (
	SchemaCreated = "CREATED"
	SchemaUpdated = "UPDATED"
	SchemaDropped = "DROPPED"

	TargetKeyspace  = "KEYSPACE"
	TargetTable     = "TABLE"
	TargetType      = "TYPE"
	TargetFunction  = "FUNCTION"
	TargetAggregate = "AGGREGATE"
)

// SchemaChange is the body shared by the SCHEMA_CHANGE event (section 4.2.6)
// and the Schema_change result (4.2.5.5): <change_type><target><options>.
//
// The layout of <options> depends on Target: KEYSPACE carries the keyspace
// alone; TABLE and TYPE the keyspace and Name; FUNCTION and AGGREGATE the
// keyspace, Name and ArgTypes. It is the same in v3, v4 and v5: a v3 server
// reports function and aggregate changes as a keyspace update, so the
// FUNCTION layout simply never appears there.
type SchemaChange struct {
	Change   string // CREATED, UPDATED or DROPPED
	Target   string // KEYSPACE, TABLE, TYPE, FUNCTION or AGGREGATE
	Keyspace string
	Name     string   // table, type, function or aggregate; empty for KEYSPACE
	ArgTypes []string // CQL types of a function's or aggregate's arguments
}

func (s *SchemaChange) decode(r *Reader) {
	s.Change = r.String("change type")
	s.Target = r.String("target")
	if r.Err() != nil {
		return
	}
	switch s.Target {
	case TargetKeyspace:
		s.Keyspace = r.String("keyspace")
	case TargetTable, TargetType:
		s.Keyspace = r.String("keyspace")
		s.Name = r.String("name")
	case TargetFunction, TargetAggregate:
		s.Keyspace = r.String("keyspace")
		s.Name = r.String("name")
		s.ArgTypes = r.StringList("argument types")
	default:
		r.Failf("target", "unknown schema change target %q", s.Target)
	}
}

func (s *SchemaChange) encode(e *rspEnc) {
	e.putString("change type", s.Change)
	e.putString("target", s.Target)
	switch s.Target {
	case TargetKeyspace:
		e.putString("keyspace", s.Keyspace)
	case TargetTable, TargetType:
		e.putString("keyspace", s.Keyspace)
		e.putString("name", s.Name)
	case TargetFunction, TargetAggregate:
		e.putString("keyspace", s.Keyspace)
		e.putString("name", s.Name)
		e.putStringList("argument types", s.ArgTypes)
	default:
		e.fail("target", fmt.Errorf("unknown schema change target %q", s.Target))
	}
}

// String describes the change, such as "CREATED TABLE ks.t".
func (s *SchemaChange) String() string {
	switch s.Target {
	case TargetKeyspace:
		return s.Change + " KEYSPACE " + s.Keyspace
	case TargetFunction, TargetAggregate:
		return fmt.Sprintf("%s %s %s.%s%v", s.Change, s.Target, s.Keyspace, s.Name, s.ArgTypes)
	}
	return s.Change + " " + s.Target + " " + s.Keyspace + "." + s.Name
}
