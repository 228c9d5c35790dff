package policy

import (
	"math/rand/v2"
	"slices"
	"sync"
)

// TokenMapView is a View that also offers the cluster's token map. A view
// that keeps a token map (built with NewTokenMap from the hosts and the
// keyspaces' replication) implements it; TokenAware routes only through
// such views.
type TokenMapView interface {
	View
	// TokenMap returns the current token map, or nil while there is none.
	TokenMap() *TokenMap
}

// TokenAwareOption configures TokenAware.
type TokenAwareOption func(*tokenAware)

// ShuffleReplicas sets whether the replicas of a request are tried in a
// random order (true, the default), spreading the load of a hot partition
// over its replicas, or in ring order (false), which sends every request
// for a partition to the same replica while it is up. Lightweight
// transactions (RoutingInfo.Serial) always use ring order.
func ShuffleReplicas(on bool) TokenAwareOption {
	return func(p *tokenAware) { p.shuffle = on }
}

// TokenAware returns a policy that sends a request first to the replicas
// of its partition, then to the hosts of child's plan.
//
// A request is routed when it has a keyspace and a routing key and the
// view is a TokenMapView with a token map that knows replicas for the
// keyspace; otherwise its plan is child's plan, unchanged. A routed plan
// first yields the replicas that are up and at DistanceLocal for child
// (so with DCAware as child, the replicas of the local datacenter), in
// random order unless ShuffleReplicas(false) is given; then child's plan,
// skipping the hosts already yielded. Lightweight transactions
// (RoutingInfo.Serial) take the replicas in ring order, so that concurrent
// Paxos rounds on one partition meet the same coordinator instead of
// contending through several.
//
// Distance is child's. Plans are lazy: the replicas are filtered on the
// first Next, child's plan is made only if they are exhausted, and plans
// are recycled when the driver releases them.
func TokenAware(child LoadBalancingPolicy, opts ...TokenAwareOption) LoadBalancingPolicy {
	p := &tokenAware{child: child, shuffle: true}
	for _, o := range opts {
		o(p)
	}
	return p
}

type tokenAware struct {
	child   LoadBalancingPolicy
	shuffle bool
}

func (p *tokenAware) Distance(h *Host) Distance { return p.child.Distance(h) }

func (p *tokenAware) NewQueryPlan(info *RoutingInfo, view View) QueryPlan {
	if info == nil || info.Keyspace == "" || len(info.RoutingKey) == 0 {
		return p.child.NewQueryPlan(info, view)
	}
	tv, ok := view.(TokenMapView)
	if !ok {
		return p.child.NewQueryPlan(info, view)
	}
	m := tv.TokenMap()
	if m == nil {
		return p.child.NewQueryPlan(info, view)
	}
	replicas := m.Replicas(info.Keyspace, info.RoutingKey)
	if len(replicas) == 0 {
		return p.child.NewQueryPlan(info, view)
	}
	plan := tokenAwarePlans.Get().(*tokenAwarePlan)
	plan.policy = p
	plan.info = info
	plan.view = view
	plan.replicas = replicas
	plan.shuffle = p.shuffle && !info.Serial
	return plan
}

var tokenAwarePlans = sync.Pool{New: func() any { return new(tokenAwarePlan) }}

// tokenAwarePlan yields the chosen replicas, then child's plan without
// them.
type tokenAwarePlan struct {
	policy   *tokenAware
	info     *RoutingInfo
	view     View
	replicas []*Host // the partition's replicas in ring order; shared
	shuffle  bool

	phase  int     // 0 not started, 1 replicas, 2 child's plan, 3 done
	chosen []*Host // the replicas to try, in order; kept across reuse
	i      int     // next of chosen
	child  QueryPlan
}

func (p *tokenAwarePlan) Next() *Host {
	switch p.phase {
	case 0:
		for _, h := range p.replicas {
			if h.IsUp() && p.policy.child.Distance(h) == DistanceLocal {
				p.chosen = append(p.chosen, h)
			}
		}
		if p.shuffle {
			for i := len(p.chosen) - 1; i > 0; i-- {
				j := rand.IntN(i + 1)
				p.chosen[i], p.chosen[j] = p.chosen[j], p.chosen[i]
			}
		}
		p.phase = 1
		fallthrough
	case 1:
		if p.i < len(p.chosen) {
			h := p.chosen[p.i]
			p.i++
			return h
		}
		p.child = p.policy.child.NewQueryPlan(p.info, p.view)
		p.phase = 2
		fallthrough
	case 2:
		for h := p.child.Next(); h != nil; h = p.child.Next() {
			if !slices.Contains(p.chosen, h) {
				return h
			}
		}
		p.phase = 3
	}
	return nil
}

// Release releases child's plan, if one was made, and returns the plan to
// its pool; it must not be used afterwards.
func (p *tokenAwarePlan) Release() {
	if r, ok := p.child.(interface{ Release() }); ok {
		r.Release()
	}
	clear(p.chosen)
	*p = tokenAwarePlan{chosen: p.chosen[:0]}
	tokenAwarePlans.Put(p)
}
