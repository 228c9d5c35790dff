package faults

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	cassandra "github.com/cqlgo/cassandra"
)

// Load runs Workers goroutines that execute one statement after another for
// Duration, while Steps (the faults) run at their offsets, and counts what
// happened per Window. Zero fields take the documented defaults.
type Load struct {
	// Session runs the statements.
	Session *cassandra.Session
	// Statement returns the n-th request of a worker.
	Statement func(worker int, n uint64) cassandra.Statement
	// Workers is the number of goroutines. Default: 64.
	Workers int
	// Duration is how long workers start requests. Default: 60s.
	Duration time.Duration
	// Window is the width of the reporting windows. Default: 5s.
	Window time.Duration
	// Hosts are the nodes whose coordinated requests are counted per
	// window (Window.ByHost follows this order).
	Hosts []netip.Addr
	// Steps run one after the other, each at its offset from the start.
	Steps []Step
	// KeepErrors is how many failed requests are kept in full. Default: 20.
	KeepErrors int
	// Drain bounds the wait for requests still running at Duration.
	// Default: 30s.
	Drain time.Duration
	// FailurePause is how long a worker waits after a failed request, so
	// that a cluster refusing everything is not hammered. Default: none.
	FailurePause time.Duration
	// Done, when set, counts the requests that ended (ok or failed) while
	// the load runs, for callers that sample it.
	Done *atomic.Int64
}

// Step is an action of a fault schedule.
type Step struct {
	At   time.Duration // offset from the start of the load
	Name string
	Do   func(ctx context.Context) error
}

// StepResult is what a step did and when.
type StepResult struct {
	Name string
	At   time.Duration // when it started, from the start of the load
	Took time.Duration
	Err  error
}

// Failure is one failed request.
type Failure struct {
	At       time.Duration // when it ended, from the start of the load
	Latency  time.Duration
	Err      error
	Attempts []cassandra.Attempt // from the *cassandra.RequestError, if any
}

// Window counts the requests that ended in one reporting window.
type Window struct {
	Start, End  time.Duration
	OK, Failed  int64
	P50, P99    time.Duration // of the successful requests, within 1/16
	Max         time.Duration
	ByHost      []int64         // successful requests coordinated by Load.Hosts[i]
	HostP50     []time.Duration // of the requests coordinated by Hosts[i]
	HostP99     []time.Duration
	Retried     int64 // successful requests that needed several attempts
	Speculative int64 // successful requests with a speculative attempt
}

// PerSecond returns the successful requests per second of the window.
func (w Window) PerSecond() float64 {
	if d := (w.End - w.Start).Seconds(); d > 0 {
		return float64(w.OK) / d
	}
	return 0
}

// Report is the outcome of a Load run.
type Report struct {
	Start    time.Time
	Hosts    []netip.Addr
	Windows  []Window
	OK       int64
	Failed   int64
	Failures []Failure // the first Load.KeepErrors
	// ErrorKinds counts the failures by the type and text of the last
	// attempt's error.
	ErrorKinds map[string]int64
	Steps      []StepResult
	// Requests still running when Drain ran out (counted as failed).
	Abandoned int64
}

type window struct {
	ok, failed, retried, spec atomic.Int64
	max                       atomic.Int64
	byHost                    []hostWindow
	lat                       hist
}

type hostWindow struct {
	n   atomic.Int64
	lat hist
}

// Run runs the load; ctx bounds it. The error is about the harness itself
// (a zero configuration, ctx ending); failed requests and steps are in the
// Report.
func (l *Load) Run(ctx context.Context) (*Report, error) {
	if l.Session == nil || l.Statement == nil {
		return nil, errors.New("faults: Load needs a Session and a Statement")
	}
	workers := l.Workers
	if workers <= 0 {
		workers = 64
	}
	dur := l.Duration
	if dur <= 0 {
		dur = 60 * time.Second
	}
	width := l.Window
	if width <= 0 {
		width = 5 * time.Second
	}
	keep := l.KeepErrors
	if keep <= 0 {
		keep = 20
	}
	drain := l.Drain
	if drain <= 0 {
		drain = 30 * time.Second
	}
	nw := int((dur + width - 1) / width)
	wins := make([]window, nw)
	for i := range wins {
		wins[i].byHost = make([]hostWindow, len(l.Hosts))
	}
	hostIndex := make(map[netip.Addr]int, len(l.Hosts))
	for i, h := range l.Hosts {
		hostIndex[h] = i
	}

	rep := &Report{Hosts: l.Hosts, ErrorKinds: map[string]int64{}}
	var failMu sync.Mutex
	start := time.Now()
	rep.Start = start
	stopAt := start.Add(dur)

	// Requests get their own context so that the drain bound can cut them
	// off without cancelling the steps' context.
	reqCtx, cancelReqs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelReqs()
	var running atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := uint64(0); ctx.Err() == nil; n++ {
				t0 := time.Now()
				if !t0.Before(stopAt) {
					return
				}
				running.Add(1)
				rs, err := l.Session.ExecuteStatement(reqCtx, l.Statement(w, n))
				running.Add(-1)
				if l.Done != nil {
					l.Done.Add(1)
				}
				end := time.Now()
				lat := end.Sub(t0)
				i := min(int(end.Sub(start)/width), nw-1)
				win := &wins[i]
				if err != nil {
					win.failed.Add(1)
					failMu.Lock()
					rep.ErrorKinds[errorKind(err)]++
					if len(rep.Failures) < keep {
						f := Failure{At: end.Sub(start), Latency: lat, Err: err}
						var re *cassandra.RequestError
						if errors.As(err, &re) {
							f.Attempts = re.Attempts
						}
						rep.Failures = append(rep.Failures, f)
					}
					failMu.Unlock()
					if l.FailurePause > 0 {
						time.Sleep(l.FailurePause)
					}
					continue
				}
				win.ok.Add(1)
				win.lat.add(lat)
				for {
					m := win.max.Load()
					if int64(lat) <= m || win.max.CompareAndSwap(m, int64(lat)) {
						break
					}
				}
				if h := rs.Host(); h != nil {
					if hi, ok := hostIndex[h.Addr().Addr()]; ok {
						win.byHost[hi].n.Add(1)
						win.byHost[hi].lat.add(lat)
					}
				}
				if at := rs.Attempts(); len(at) > 1 {
					win.retried.Add(1)
					for _, a := range at {
						if a.Speculative {
							win.spec.Add(1)
							break
						}
					}
				}
			}
		}()
	}

	stepsDone := make(chan struct{})
	go func() {
		defer close(stepsDone)
		for _, s := range l.Steps {
			if wait := time.Until(start.Add(s.At)); wait > 0 {
				t := time.NewTimer(wait)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
					return
				}
			}
			t0 := time.Now()
			err := s.Do(ctx)
			rep.Steps = append(rep.Steps, StepResult{Name: s.Name, At: t0.Sub(start), Took: time.Since(t0), Err: err})
		}
	}()

	workersDone := make(chan struct{})
	go func() { wg.Wait(); close(workersDone) }()
	drainT := time.NewTimer(time.Until(stopAt) + drain)
	defer drainT.Stop()
	select {
	case <-workersDone:
	case <-drainT.C:
		rep.Abandoned = running.Load()
		cancelReqs()
		<-workersDone // requests end promptly once their context is cancelled
	}
	<-stepsDone // steps are bounded by ctx and by the script's own bound

	for i := range wins {
		w := &wins[i]
		out := Window{
			Start:       time.Duration(i) * width,
			End:         min(time.Duration(i+1)*width, dur),
			OK:          w.ok.Load(),
			Failed:      w.failed.Load(),
			P50:         w.lat.percentile(50),
			P99:         w.lat.percentile(99),
			Max:         time.Duration(w.max.Load()),
			ByHost:      make([]int64, len(l.Hosts)),
			HostP50:     make([]time.Duration, len(l.Hosts)),
			HostP99:     make([]time.Duration, len(l.Hosts)),
			Retried:     w.retried.Load(),
			Speculative: w.spec.Load(),
		}
		for h := range w.byHost {
			out.ByHost[h] = w.byHost[h].n.Load()
			out.HostP50[h] = w.byHost[h].lat.percentile(50)
			out.HostP99[h] = w.byHost[h].lat.percentile(99)
		}
		rep.OK += out.OK
		rep.Failed += out.Failed
		rep.Windows = append(rep.Windows, out)
	}
	return rep, ctx.Err()
}

// Table formats the windows, one line each: ok/s, p50, p99, max, failures,
// retried and speculative requests, and for each host the requests it
// coordinated, their p50 and p99.
func (r *Report) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-9s %8s %8s %8s %8s %6s %7s %5s", "window", "ok/s", "p50", "p99", "max", "failed", "retried", "spec")
	for _, h := range r.Hosts {
		fmt.Fprintf(&b, " %24s", h.String()+" n/p50/p99")
	}
	b.WriteByte('\n')
	for _, w := range r.Windows {
		fmt.Fprintf(&b, "%3.0f-%3.0fs  %8.0f %8s %8s %8s %6d %7d %5d", w.Start.Seconds(), w.End.Seconds(), w.PerSecond(),
			ms(w.P50), ms(w.P99), ms(w.Max), w.Failed, w.Retried, w.Speculative)
		for h, n := range w.ByHost {
			fmt.Fprintf(&b, " %24s", fmt.Sprintf("%d/%s/%s", n, ms(w.HostP50[h]), ms(w.HostP99[h])))
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "total: %d ok, %d failed, %d abandoned\n", r.OK, r.Failed, r.Abandoned)
	for _, s := range r.Steps {
		fmt.Fprintf(&b, "step %-28q at %6.2fs took %6s err=%v\n", s.Name, s.At.Seconds(), ms(s.Took), s.Err)
	}
	return b.String()
}

// errorKind names an error by its type and the start of its text, which
// for server errors carries no address.
func errorKind(err error) string {
	var re *cassandra.RequestError
	if errors.As(err, &re) && re.Last != nil {
		err = re.Last
	}
	msg := err.Error()
	if len(msg) > 90 {
		msg = msg[:90] + "..."
	}
	return fmt.Sprintf("%T: %s", err, msg)
}

// FailureSummary counts the failures by kind and describes the kept ones,
// with their attempts.
func (r *Report) FailureSummary() string {
	var b strings.Builder
	for k, n := range r.ErrorKinds {
		fmt.Fprintf(&b, "%6d x %s\n", n, k)
	}
	for _, f := range r.Failures {
		fmt.Fprintf(&b, "at %6.2fs after %s: %v\n", f.At.Seconds(), ms(f.Latency), f.Err)
		for i, a := range f.Attempts {
			host := "?"
			if a.Host != nil {
				host = a.Host.Addr().String()
			}
			fmt.Fprintf(&b, "    attempt %d on %s speculative=%v after %s: %v\n", i+1, host, a.Speculative, ms(a.Latency), a.Err)
		}
	}
	return b.String()
}

func ms(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0fms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.2fms", float64(d)/1e6)
	}
}
