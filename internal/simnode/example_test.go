package simnode_test

import (
	"bufio"
	"fmt"
	"net"
	"time"

	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/internal/simnode"
)

// A node that fails one query and delays writes; the driver under test
// would connect to n.Addr(). A bare v4 exchange stands in for it here.
func Example() {
	n, err := simnode.Start(simnode.Config{})
	if err != nil {
		panic(err)
	}
	defer n.Close()
	n.AddRule(simnode.Rule{
		Match: simnode.Query("SELECT * FROM ks.t"),
		Then:  simnode.Error(&frame.UnavailableError{Msg: "not enough replicas", Consistency: frame.Quorum, Required: 2, Alive: 1}),
	})
	n.AddRule(simnode.Rule{
		Match: simnode.QueryPrefix("INSERT"),
		Then:  simnode.Once(simnode.Delay(50*time.Millisecond, simnode.Builtin())),
	})

	nc, err := net.Dial("tcp", n.Addr().String())
	if err != nil {
		panic(err)
	}
	defer nc.Close()
	br := bufio.NewReader(nc)
	roundTrip := func(m frame.Message) frame.Frame {
		b, _ := frame.AppendFrame(nil, frame.Header{Version: frame.V4, Stream: 1}, nil, m, nil)
		nc.Write(b)
		h, buf, err := frame.ReadFrame(br, nil, 0)
		if err != nil {
			panic(err)
		}
		f, _, _ := frame.ParseFrame(h, buf[frame.HeaderSize:], nil, nil, 0)
		return f
	}

	fmt.Println(roundTrip(&frame.Startup{Options: map[string]string{"CQL_VERSION": "3.0.0"}}).Header.Opcode)
	f := roundTrip(&frame.Query{Query: "SELECT * FROM ks.t"})
	serr, _ := frame.DecodeServerError(f.Body, f.Header.Version)
	fmt.Println(serr.Code(), serr.(*frame.UnavailableError).Alive)
	fmt.Println(roundTrip(&frame.Query{Query: "INSERT INTO ks.t (k) VALUES (1)"}).Header.Opcode)
	fmt.Println(n.Count(simnode.Op(frame.OpQuery)), "queries received")
	// Output:
	// READY
	// UNAVAILABLE 1
	// RESULT
	// 2 queries received
}
