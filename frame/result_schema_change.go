package frame

// SchemaChangeResult is the Schema_change RESULT (section 4.2.5.5), the
// answer to a DDL statement; its body is that of a SCHEMA_CHANGE event.
type SchemaChangeResult struct {
	SchemaChange
}

// Opcode returns OpResult.
func (*SchemaChangeResult) Opcode() Opcode { return OpResult }

// Kind returns ResultSchemaChange.
func (*SchemaChangeResult) Kind() ResultKind { return ResultSchemaChange }

// Encode appends the kind and the change.
func (m *SchemaChangeResult) Encode(dst []byte, v Version) ([]byte, error) {
	e := startResultEnc(dst, v, ResultSchemaChange)
	if e.err == nil {
		m.SchemaChange.encode(&e)
	}
	return e.done()
}

// Decode reads the change.
func (m *SchemaChangeResult) Decode(body []byte, v Version) error {
	var r Reader
	var sc SchemaChange
	if startResult(&r, body, v, ResultSchemaChange) {
		sc.decode(&r)
	}
	if err := r.Done(); err != nil {
		return err
	}
	m.SchemaChange = sc
	return nil
}
