//! A layered (Sugiyama-style) layout of boxes and the edges between them, with
//! orthogonal edge routing. It knows nothing of tables: boxes of given sizes,
//! edges between rows of boxes, and horizontal bands (the groups).
//!
//! The steps:
//! 1. **Ranks** (columns, left to right): cycles are broken by reversing the back
//!    edges of a depth-first search; every edge then points from its `to` box
//!    (the referenced table) to its `from` box, and a longest-path layering puts
//!    each box in a column right of everything it points from. A box with more
//!    edges to the right than to the left is then pulled right as far as it can go
//!    (shorter edges). Self-edges do not take part.
//! 2. **Long edges** get one small placeholder per column they pass, so they run
//!    through the gap between two boxes of that column, never across a box.
//! 3. **Order within a column**: bands first (a band's items are contiguous in
//!    every column, bands in their given order), then barycenter sweeps left to right
//!    and back; the order with the fewest crossings (counted exactly, by
//!    inversions) is kept.
//! 4. **Vertical positions**, per band: each item wants to sit level with its
//!    neighbours' ports; the best positions that keep the order and the minimum gaps
//!    are an isotonic regression (pool adjacent violators), repeated a few sweeps.
//!    Bands are then stacked top to bottom, each with its region (padding and label
//!    room around its boxes) inside it, so regions never overlap.
//! 5. **Routing**: an edge leaves its left box on the right side at its row, runs
//!    horizontally to a vertical track in the gap (the channel) after the column,
//!    changes height there, passes the next column at its placeholder's height, …,
//!    and enters its right box on the left side at its row. Tracks in a channel are
//!    shared only by edges whose vertical extents do not overlap (left-edge
//!    interval packing); the channel is as wide as its tracks need. A self-edge is a
//!    loop into the channel right of its box.
//!
//! Everything is in index order or sorted with explicit tie-breaks: the same graph
//! gives the same layout, to the bit.

/// A point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// An axis-aligned rectangle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn right(&self) -> f64 {
        self.x + self.w
    }
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }
}

/// A box to place.
#[derive(Debug, Clone)]
pub struct Node {
    pub width: f64,
    pub height: f64,
    /// Index into [`Graph::bands`].
    pub band: usize,
}

/// A vertical span inside a box (a row), relative to the box's top.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    pub top: f64,
    pub bottom: f64,
}

/// An edge from a row of `from` to a row of `to` (`from` is the referencing
/// table, `to` the referenced one; `from == to` is a loop).
#[derive(Debug, Clone)]
pub struct Edge {
    pub from: usize,
    pub from_row: Span,
    pub to: usize,
    pub to_row: Span,
}

/// A horizontal band of boxes; with a region, a labelled rectangle around them.
#[derive(Debug, Clone, Default)]
pub struct Band {
    pub region: Option<RegionStyle>,
}

/// Room of a region around its boxes.
#[derive(Debug, Clone, Copy)]
pub struct RegionStyle {
    /// Padding left, right and below the boxes.
    pub pad: f64,
    /// Room above the boxes (padding plus the label).
    pub pad_top: f64,
    /// The region is at least this wide (its label must fit).
    pub min_width: f64,
}

#[derive(Debug, Clone, Default)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub bands: Vec<Band>,
}

/// Where everything went. `paths[e]` starts on the boundary of edge `e`'s `from`
/// box and ends on the boundary of its `to` box; its segments are horizontal or
/// vertical.
#[derive(Debug, Clone)]
pub struct Layout {
    pub boxes: Vec<Rect>,
    pub paths: Vec<Vec<Point>>,
    /// One per band: its region, if it has one and any box.
    pub regions: Vec<Option<Rect>>,
    pub width: f64,
    pub height: f64,
}

/// Margin around the drawing.
pub const MARGIN: f64 = 24.0;
/// Vertical gap between two boxes of a column.
const NODE_GAP: f64 = 24.0;
/// Height of a long edge's placeholder, and its gap to its neighbours.
const DUMMY_H: f64 = 8.0;
const DUMMY_GAP: f64 = 6.0;
/// Room between a column and the first/last track of a channel (holds the
/// cardinality marks).
const CHANNEL_MARGIN: f64 = 28.0;
/// Distance between two tracks of a channel.
const TRACK_GAP: f64 = 8.0;
/// Vertical distance kept between two edges sharing a track.
const TRACK_MIN_GAP: f64 = 6.0;
/// Vertical gap between two bands.
const BAND_GAP: f64 = 32.0;
/// Width of a column that holds placeholders only.
const MIN_RANK_W: f64 = 16.0;
/// Ports keep this distance from the borders of their row.
const PORT_INSET: f64 = 3.0;
const ORDER_SWEEPS: usize = 12;
const Y_SWEEPS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Node(usize),
    /// A placeholder of edge `e`.
    Dummy(usize),
}

#[derive(Debug, Clone)]
struct Item {
    kind: Kind,
    rank: usize,
    band: usize,
    height: f64,
}

/// A piece of an edge between two items of adjacent columns.
#[derive(Debug, Clone, Copy)]
struct Segment {
    left: usize,
    right: usize,
    /// Port offsets from the items' tops (set in `ports`).
    left_port: f64,
    right_port: f64,
}

/// Lays out `graph`.
pub fn layout(graph: &Graph) -> Layout {
    let n = graph.nodes.len();
    let ranks = rank(graph);
    let rank_count = ranks.iter().copied().max().map_or(0, |r| r + 1);

    // Items: the boxes, then the placeholders of each edge in edge order.
    let mut items: Vec<Item> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| Item {
            kind: Kind::Node(i),
            rank: ranks[i],
            band: node.band,
            height: node.height,
        })
        .collect();
    // Per edge: its items left to right (empty for a loop), and whether its
    // `from` box is the left end.
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(graph.edges.len());
    let mut from_is_left = Vec::with_capacity(graph.edges.len());
    for (e, edge) in graph.edges.iter().enumerate() {
        if edge.from == edge.to {
            chains.push(Vec::new());
            from_is_left.push(false);
            continue;
        }
        let (left, right, fl) = if ranks[edge.to] < ranks[edge.from] {
            (edge.to, edge.from, false)
        } else {
            (edge.from, edge.to, true)
        };
        from_is_left.push(fl);
        let mut chain = vec![left];
        for r in ranks[left] + 1..ranks[right] {
            chain.push(items.len());
            items.push(Item {
                kind: Kind::Dummy(e),
                rank: r,
                band: graph.nodes[edge.to].band,
                height: DUMMY_H,
            });
        }
        chain.push(right);
        chains.push(chain);
    }

    // Segments and each item's neighbours.
    let mut segments = Vec::new();
    let mut seg_of_edge: Vec<Vec<usize>> = vec![Vec::new(); graph.edges.len()];
    let mut left_segs: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    let mut right_segs: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    for (e, chain) in chains.iter().enumerate() {
        for w in chain.windows(2) {
            let s = segments.len();
            segments.push(Segment {
                left: w[0],
                right: w[1],
                left_port: DUMMY_H / 2.0,
                right_port: DUMMY_H / 2.0,
            });
            seg_of_edge[e].push(s);
            right_segs[w[0]].push(s);
            left_segs[w[1]].push(s);
        }
    }

    // Order within the columns.
    let mut columns: Vec<Vec<usize>> = vec![Vec::new(); rank_count];
    for (i, item) in items.iter().enumerate() {
        columns[item.rank].push(i);
    }
    for col in &mut columns {
        col.sort_by_key(|&i| (items[i].band, i));
    }
    let columns = order(&items, &segments, &left_segs, &right_segs, columns);
    let mut pos = vec![0usize; items.len()];
    for col in &columns {
        for (p, &i) in col.iter().enumerate() {
            pos[i] = p;
        }
    }

    // Ports.
    let loop_ports = ports(
        graph,
        &pos,
        &chains,
        &seg_of_edge,
        &from_is_left,
        &mut segments,
    );

    // Vertical positions inside the bands, then the bands stacked.
    let mut y = vertical(&items, &segments, &left_segs, &right_segs, &columns);
    let band_count = graph.bands.len().max(
        graph
            .nodes
            .iter()
            .map(|node| node.band + 1)
            .max()
            .unwrap_or(0),
    );
    let mut band_lo = vec![f64::INFINITY; band_count];
    let mut band_hi = vec![f64::NEG_INFINITY; band_count];
    // Relative region tops/bottoms (x comes later).
    let mut region_y: Vec<Option<(f64, f64)>> = vec![None; band_count];
    for (i, item) in items.iter().enumerate() {
        let b = item.band;
        band_lo[b] = band_lo[b].min(y[i]);
        band_hi[b] = band_hi[b].max(y[i] + item.height);
        if let (Kind::Node(_), Some(style)) =
            (item.kind, graph.bands.get(b).and_then(|band| band.region))
        {
            let (top, bottom) = region_y[b].unwrap_or((f64::INFINITY, f64::NEG_INFINITY));
            region_y[b] = Some((
                top.min(y[i] - style.pad_top),
                bottom.max(y[i] + item.height + style.pad),
            ));
        }
    }
    let mut band_offset = vec![0.0; band_count];
    let mut top = MARGIN;
    for b in 0..band_count {
        if band_lo[b] > band_hi[b] {
            continue;
        }
        if let Some((rt, rb)) = region_y[b] {
            band_lo[b] = band_lo[b].min(rt);
            band_hi[b] = band_hi[b].max(rb);
        }
        band_offset[b] = top - band_lo[b];
        top += band_hi[b] - band_lo[b] + BAND_GAP;
    }
    for (i, item) in items.iter().enumerate() {
        y[i] += band_offset[item.band];
    }
    let height = (top - BAND_GAP + MARGIN).max(2.0 * MARGIN);

    // Channels: a vertical for every segment that changes height, and for loops.
    let mut verticals: Vec<Vec<Vertical>> = vec![Vec::new(); rank_count];
    for (s, seg) in segments.iter().enumerate() {
        let y1 = y[seg.left] + seg.left_port;
        let y2 = y[seg.right] + seg.right_port;
        if (y1 - y2).abs() > 1e-6 {
            verticals[items[seg.left].rank].push(Vertical::new(s, (y1, false), (y2, true)));
        }
    }
    let loop_base = segments.len();
    for (e, lp) in loop_ports.iter().enumerate() {
        if let Some((a, b)) = lp {
            let node = graph.edges[e].from;
            let (ya, yb) = (y[node] + a, y[node] + b);
            verticals[ranks[node]].push(Vertical::new(loop_base + e, (ya, false), (yb, false)));
        }
    }
    // Track of each segment (by index) / loop (loop_base + edge), per channel.
    let mut track = vec![0usize; loop_base + graph.edges.len()];
    let mut track_count = vec![0usize; rank_count];
    for (c, list) in verticals.iter().enumerate() {
        track_count[c] = tracks(list, &mut track);
    }

    // Columns and channels, left to right.
    let mut rank_w = vec![MIN_RANK_W; rank_count];
    for (i, node) in graph.nodes.iter().enumerate() {
        rank_w[ranks[i]] = rank_w[ranks[i]].max(node.width);
    }
    let mut rank_x = vec![0.0; rank_count];
    let mut channel_x = vec![0.0; rank_count];
    let mut x = MARGIN;
    for r in 0..rank_count {
        rank_x[r] = x;
        x += rank_w[r];
        channel_x[r] = x;
        let tracks = track_count[r];
        if r + 1 < rank_count || tracks > 0 {
            x += 2.0 * CHANNEL_MARGIN + tracks.saturating_sub(1) as f64 * TRACK_GAP;
        }
    }
    let track_x =
        |channel: usize, t: usize| channel_x[channel] + CHANNEL_MARGIN + t as f64 * TRACK_GAP;
    let mut width = x + MARGIN;

    let boxes: Vec<Rect> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| Rect {
            x: rank_x[ranks[i]],
            y: y[i],
            w: node.width,
            h: node.height,
        })
        .collect();

    // Paths.
    let mut paths = Vec::with_capacity(graph.edges.len());
    for (e, edge) in graph.edges.iter().enumerate() {
        let mut pts = Vec::new();
        if let Some((a, b)) = loop_ports[e] {
            let bx = boxes[edge.from];
            let tx = track_x(ranks[edge.from], track[loop_base + e]);
            pts.push(Point {
                x: bx.right(),
                y: bx.y + a,
            });
            pts.push(Point { x: tx, y: bx.y + a });
            pts.push(Point { x: tx, y: bx.y + b });
            pts.push(Point {
                x: bx.right(),
                y: bx.y + b,
            });
        } else {
            let chain = &chains[e];
            let first = segments[seg_of_edge[e][0]];
            let left_box = boxes[node_of(&items, chain[0])];
            pts.push(Point {
                x: left_box.right(),
                y: y[first.left] + first.left_port,
            });
            for &s in &seg_of_edge[e] {
                let seg = segments[s];
                let (y1, y2) = (y[seg.left] + seg.left_port, y[seg.right] + seg.right_port);
                if (y1 - y2).abs() > 1e-6 {
                    let tx = track_x(items[seg.left].rank, track[s]);
                    pts.push(Point { x: tx, y: y1 });
                    pts.push(Point { x: tx, y: y2 });
                }
            }
            let last = segments[*seg_of_edge[e].last().expect("an edge has a segment")];
            let right_box = boxes[node_of(&items, *chain.last().expect("a chain"))];
            pts.push(Point {
                x: right_box.x,
                y: y[last.right] + last.right_port,
            });
            if from_is_left[e] {
                // already from → to
            } else {
                pts.reverse();
            }
        }
        paths.push(simplify(pts));
    }

    // Regions.
    let mut regions = vec![None; graph.bands.len()];
    for (b, band) in graph.bands.iter().enumerate() {
        let Some(style) = band.region else { continue };
        let members: Vec<&Rect> = (0..n)
            .filter(|&i| graph.nodes[i].band == b)
            .map(|i| &boxes[i])
            .collect();
        if members.is_empty() {
            continue;
        }
        let lo_x = members.iter().map(|r| r.x).fold(f64::INFINITY, f64::min) - style.pad;
        let hi_x = members
            .iter()
            .map(|r| r.right())
            .fold(f64::NEG_INFINITY, f64::max)
            + style.pad;
        let lo_y = members.iter().map(|r| r.y).fold(f64::INFINITY, f64::min) - style.pad_top;
        let hi_y = members
            .iter()
            .map(|r| r.bottom())
            .fold(f64::NEG_INFINITY, f64::max)
            + style.pad;
        let w = (hi_x - lo_x).max(style.min_width);
        width = width.max(lo_x + w + MARGIN);
        regions[b] = Some(Rect {
            x: lo_x,
            y: lo_y,
            w,
            h: hi_y - lo_y,
        });
    }
    if n == 0 {
        width = 2.0 * MARGIN;
    }

    Layout {
        boxes,
        paths,
        regions,
        width,
        height,
    }
}

fn node_of(items: &[Item], item: usize) -> usize {
    match items[item].kind {
        Kind::Node(i) => i,
        Kind::Dummy(_) => unreachable!("a chain starts and ends at boxes"),
    }
}

/// Drops repeated points and the middle one of three on a line.
fn simplify(pts: Vec<Point>) -> Vec<Point> {
    let mut out: Vec<Point> = Vec::with_capacity(pts.len());
    for p in pts {
        if out
            .last()
            .is_some_and(|q| (q.x - p.x).abs() < 1e-9 && (q.y - p.y).abs() < 1e-9)
        {
            continue;
        }
        if out.len() >= 2 {
            let a = out[out.len() - 2];
            let b = out[out.len() - 1];
            let same_x = (a.x - b.x).abs() < 1e-9 && (b.x - p.x).abs() < 1e-9;
            let same_y = (a.y - b.y).abs() < 1e-9 && (b.y - p.y).abs() < 1e-9;
            if same_x || same_y {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}

// ---------------------------------------------------------------------------
// 5. Tracks

/// The vertical piece of an edge in a channel, with its two horizontal ends
/// (height, and whether the end goes to the channel's right side).
#[derive(Debug, Clone, Copy)]
struct Vertical {
    id: usize,
    lo: f64,
    hi: f64,
    ends: [(f64, bool); 2],
}

impl Vertical {
    fn new(id: usize, a: (f64, bool), b: (f64, bool)) -> Self {
        Vertical {
            id,
            lo: a.0.min(b.0),
            hi: a.0.max(b.0),
            ends: [a, b],
        }
    }

    fn spans(&self, y: f64) -> bool {
        y > self.lo + 1e-6 && y < self.hi - 1e-6
    }

    fn overlaps(&self, o: &Vertical) -> bool {
        self.lo < o.hi + TRACK_MIN_GAP && o.lo < self.hi + TRACK_MIN_GAP
    }
}

/// Crossings when `a` runs left of `b`: `a`'s ends that go right cross `b`'s
/// vertical, `b`'s ends that go left cross `a`'s.
fn cost(a: &Vertical, b: &Vertical) -> usize {
    a.ends.iter().filter(|e| e.1 && b.spans(e.0)).count()
        + b.ends.iter().filter(|e| !e.1 && a.spans(e.0)).count()
}

/// Orders the verticals of a channel left to right with few crossings (each
/// inserted where it crosses least), then packs them: a vertical shares a track
/// with verticals it does not overlap, keeping the order of those it does (so the
/// crossings stay as counted). Writes `track[id]`; returns the number of tracks.
fn tracks(list: &[Vertical], track: &mut [usize]) -> usize {
    let mut sorted: Vec<&Vertical> = list.iter().collect();
    sorted.sort_by(|a, b| {
        a.lo.total_cmp(&b.lo)
            .then(a.hi.total_cmp(&b.hi))
            .then(a.id.cmp(&b.id))
    });
    let mut order: Vec<&Vertical> = Vec::with_capacity(sorted.len());
    for v in sorted {
        // total(p) = Σ_{q<p} cost(order[q], v) + Σ_{q≥p} cost(v, order[q])
        let mut total: usize = order.iter().map(|o| cost(v, o)).sum();
        let (mut best, mut best_at) = (total, 0);
        for (q, o) in order.iter().enumerate() {
            total = total + cost(o, v) - cost(v, o);
            if total < best {
                best = total;
                best_at = q + 1;
            }
        }
        order.insert(best_at, v);
    }
    let mut assigned: Vec<usize> = Vec::with_capacity(order.len());
    let mut count = 0;
    for (k, v) in order.iter().enumerate() {
        let t = order[..k]
            .iter()
            .zip(&assigned)
            .filter(|(o, _)| o.overlaps(v))
            .map(|(_, &t)| t + 1)
            .max()
            .unwrap_or(0);
        assigned.push(t);
        track[v.id] = t;
        count = count.max(t + 1);
    }
    count
}

// ---------------------------------------------------------------------------
// 1. Ranks

/// The column of every box.
fn rank(graph: &Graph) -> Vec<usize> {
    let n = graph.nodes.len();
    // Outgoing edges in the "referenced first" direction: to → from.
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for edge in &graph.edges {
        if edge.from != edge.to {
            out[edge.to].push(edge.from);
        }
    }
    // Depth-first search (iterative) from every box in index order; an edge to a
    // box on the stack is a back edge and is reversed.
    let mut state = vec![0u8; n]; // 0 new, 1 on the stack, 2 done
    let mut dag: Vec<Vec<usize>> = vec![Vec::new(); n];
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        state[start] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if *next < out[v].len() {
                let w = out[v][*next];
                *next += 1;
                match state[w] {
                    0 => {
                        dag[v].push(w);
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => dag[w].push(v),
                    _ => dag[v].push(w),
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (v, succ) in dag.iter().enumerate() {
        for &w in succ {
            preds[w].push(v);
        }
    }
    // Topological order (Kahn, first-in first-out, seeded in index order).
    let mut indegree: Vec<usize> = preds.iter().map(Vec::len).collect();
    let mut topo: Vec<usize> = (0..n).filter(|&v| indegree[v] == 0).collect();
    let mut head = 0;
    while head < topo.len() {
        let v = topo[head];
        head += 1;
        for &w in &dag[v] {
            indegree[w] -= 1;
            if indegree[w] == 0 {
                topo.push(w);
            }
        }
    }
    debug_assert_eq!(topo.len(), n, "the reversed graph is acyclic");
    let mut ranks = vec![0usize; n];
    for &v in &topo {
        for &w in &dag[v] {
            ranks[w] = ranks[w].max(ranks[v] + 1);
        }
    }
    // Pull a box right, towards the boxes it points to, when most of its edges go
    // right.
    for &v in topo.iter().rev() {
        if dag[v].is_empty() || dag[v].len() <= preds[v].len() {
            continue;
        }
        let target = dag[v].iter().map(|&w| ranks[w]).min().unwrap_or(0) - 1;
        if target > ranks[v] {
            ranks[v] = target;
        }
    }
    ranks
}

// ---------------------------------------------------------------------------
// 3. Order within the columns

fn order(
    items: &[Item],
    segments: &[Segment],
    left_segs: &[Vec<usize>],
    right_segs: &[Vec<usize>],
    mut columns: Vec<Vec<usize>>,
) -> Vec<Vec<usize>> {
    let mut pos = vec![0usize; items.len()];
    let set_pos = |columns: &[Vec<usize>], pos: &mut [usize]| {
        for col in columns {
            for (p, &i) in col.iter().enumerate() {
                pos[i] = p;
            }
        }
    };
    set_pos(&columns, &mut pos);
    let mut best = columns.clone();
    let mut best_crossings = crossings(items, columns.len(), segments, &pos);
    for sweep in 0..ORDER_SWEEPS {
        if best_crossings == 0 {
            break;
        }
        let down = sweep % 2 == 0;
        let ranks: Vec<usize> = if down {
            (1..columns.len()).collect()
        } else {
            (0..columns.len().saturating_sub(1)).rev().collect()
        };
        for r in ranks {
            let mut keyed: Vec<(usize, f64, usize, usize)> = columns[r]
                .iter()
                .map(|&i| {
                    let segs = if down { &left_segs[i] } else { &right_segs[i] };
                    let bary = if segs.is_empty() {
                        pos[i] as f64
                    } else {
                        segs.iter()
                            .map(|&s| {
                                let other = if down {
                                    segments[s].left
                                } else {
                                    segments[s].right
                                };
                                pos[other] as f64
                            })
                            .sum::<f64>()
                            / segs.len() as f64
                    };
                    (items[i].band, bary, pos[i], i)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
            columns[r] = keyed.into_iter().map(|k| k.3).collect();
            for (p, &i) in columns[r].iter().enumerate() {
                pos[i] = p;
            }
        }
        let c = crossings(items, columns.len(), segments, &pos);
        if c < best_crossings {
            best_crossings = c;
            best = columns.clone();
        }
    }
    best
}

/// Edge crossings between adjacent columns (inversions of the segments' right
/// ends when sorted by their left ends).
fn crossings(items: &[Item], rank_count: usize, segments: &[Segment], pos: &[usize]) -> usize {
    let mut per_rank: Vec<Vec<(usize, usize)>> = vec![Vec::new(); rank_count];
    for seg in segments {
        per_rank[items[seg.left].rank].push((pos[seg.left], pos[seg.right]));
    }
    per_rank
        .iter_mut()
        .map(|pairs| {
            pairs.sort_unstable();
            let mut rights: Vec<usize> = pairs.iter().map(|p| p.1).collect();
            inversions(&mut rights)
        })
        .sum()
}

/// Number of pairs i < j with v[i] > v[j] (merge sort; sorts `v`).
fn inversions(v: &mut [usize]) -> usize {
    let n = v.len();
    if n < 2 {
        return 0;
    }
    let mid = n / 2;
    let mut count = inversions(&mut v[..mid]) + inversions(&mut v[mid..]);
    let mut merged = Vec::with_capacity(n);
    let (mut i, mut j) = (0, mid);
    while i < mid && j < n {
        if v[i] <= v[j] {
            merged.push(v[i]);
            i += 1;
        } else {
            count += mid - i;
            merged.push(v[j]);
            j += 1;
        }
    }
    merged.extend_from_slice(&v[i..mid]);
    merged.extend_from_slice(&v[j..n]);
    v.copy_from_slice(&merged);
    count
}

// ---------------------------------------------------------------------------
// Ports

/// One use of a row of a box by an edge end.
struct PortUse {
    node: usize,
    right_side: bool,
    /// The row, as the bits of its top (rows are identified by their span).
    row_top: u64,
    row: Span,
    /// Sort key: where the other end is.
    key: (usize, usize),
    /// Where to store the result.
    target: PortTarget,
    /// A referenced end: all of them on one row share one port (the edges fan
    /// out from it, their cardinality marks drawn once over each other).
    shared: bool,
}

enum PortTarget {
    SegLeft(usize),
    SegRight(usize),
    /// A loop's `from` (false) or `to` (true) end.
    Loop(usize, bool),
}

/// Spreads the ports of each row over the row, ordered by where the other end is
/// (fewer crossings at the box). Sets the segments' ports; returns the ports of
/// the loops (`from` end, `to` end).
fn ports(
    graph: &Graph,
    pos: &[usize],
    chains: &[Vec<usize>],
    seg_of_edge: &[Vec<usize>],
    from_is_left: &[bool],
    segments: &mut [Segment],
) -> Vec<Option<(f64, f64)>> {
    let uses = port_uses(graph, pos, chains, seg_of_edge, from_is_left, segments);
    let mut loops: Vec<Option<(f64, f64)>> = vec![None; graph.edges.len()];
    for (target, offset) in uses {
        match target {
            PortTarget::SegLeft(s) => segments[s].left_port = offset,
            PortTarget::SegRight(s) => segments[s].right_port = offset,
            PortTarget::Loop(e, is_to) => {
                let entry = loops[e].get_or_insert((0.0, 0.0));
                if is_to {
                    entry.1 = offset;
                } else {
                    entry.0 = offset;
                }
            }
        }
    }
    loops
}

/// Every port of every box with its offset from the box's top.
fn port_uses(
    graph: &Graph,
    pos: &[usize],
    chains: &[Vec<usize>],
    seg_of_edge: &[Vec<usize>],
    from_is_left: &[bool],
    segments: &[Segment],
) -> Vec<(PortTarget, f64)> {
    let mut uses: Vec<PortUse> = Vec::new();
    for (e, edge) in graph.edges.iter().enumerate() {
        if edge.from == edge.to {
            for (is_to, row) in [(false, edge.from_row), (true, edge.to_row)] {
                uses.push(PortUse {
                    node: edge.from,
                    right_side: true,
                    row_top: row.top.to_bits(),
                    row,
                    // Loops after the edges to other boxes, the `from` end first.
                    key: (usize::MAX, 2 * e + usize::from(is_to)),
                    target: PortTarget::Loop(e, is_to),
                    shared: false,
                });
            }
            continue;
        }
        let Some(&first) = seg_of_edge[e].first() else {
            continue;
        };
        let last = *seg_of_edge[e].last().expect("a segment");
        let chain = &chains[e];
        let (left_row, right_row) = if from_is_left[e] {
            (edge.from_row, edge.to_row)
        } else {
            (edge.to_row, edge.from_row)
        };
        let left_node = chain[0];
        let right_node = *chain.last().expect("a chain");
        uses.push(PortUse {
            node: left_node,
            right_side: true,
            row_top: left_row.top.to_bits(),
            row: left_row,
            key: (pos[segments[first].right], e),
            target: PortTarget::SegLeft(first),
            shared: !from_is_left[e],
        });
        uses.push(PortUse {
            node: right_node,
            right_side: false,
            row_top: right_row.top.to_bits(),
            row: right_row,
            key: (pos[segments[last].left], e),
            target: PortTarget::SegRight(last),
            shared: from_is_left[e],
        });
    }
    uses.sort_by(|a, b| {
        (a.node, a.right_side, a.row_top, a.key).cmp(&(b.node, b.right_side, b.row_top, b.key))
    });
    let mut out = Vec::with_capacity(uses.len());
    let mut run: Vec<PortUse> = Vec::new();
    let same = |a: &PortUse, b: &PortUse| {
        (a.node, a.right_side, a.row_top) == (b.node, b.right_side, b.row_top)
    };
    let flush = |run: &mut Vec<PortUse>, out: &mut Vec<(PortTarget, f64)>| {
        let shared = run.iter().filter(|u| u.shared).count();
        let count = (run.len() - shared + usize::from(shared > 0)) as f64;
        let mut slot = 0;
        let mut shared_slot = None;
        for u in run.drain(..) {
            let k = if u.shared {
                *shared_slot.get_or_insert_with(|| {
                    slot += 1;
                    slot - 1
                })
            } else {
                slot += 1;
                slot - 1
            };
            let (top, bottom) = (u.row.top + PORT_INSET, u.row.bottom - PORT_INSET);
            let offset = top + (bottom - top) * (k as f64 + 1.0) / (count + 1.0);
            out.push((u.target, offset));
        }
    };
    for u in uses {
        if run.last().is_some_and(|last| !same(last, &u)) {
            flush(&mut run, &mut out);
        }
        run.push(u);
    }
    flush(&mut run, &mut out);
    out
}

// ---------------------------------------------------------------------------
// 4. Vertical positions

/// The top of every item, relative to its band.
fn vertical(
    items: &[Item],
    segments: &[Segment],
    left_segs: &[Vec<usize>],
    right_segs: &[Vec<usize>],
    columns: &[Vec<usize>],
) -> Vec<f64> {
    let mut y = vec![0.0; items.len()];
    // Runs of one band in each column.
    let mut runs: Vec<Vec<usize>> = Vec::new();
    let mut run_of_rank: Vec<Vec<usize>> = vec![Vec::new(); columns.len()];
    for (r, col) in columns.iter().enumerate() {
        let mut start = 0;
        while start < col.len() {
            let band = items[col[start]].band;
            let mut end = start;
            while end < col.len() && items[col[end]].band == band {
                end += 1;
            }
            run_of_rank[r].push(runs.len());
            runs.push(col[start..end].to_vec());
            start = end;
        }
    }
    let gap = |a: usize, b: usize| {
        let dummy = |i: usize| matches!(items[i].kind, Kind::Dummy(_));
        if dummy(a) || dummy(b) {
            DUMMY_GAP
        } else {
            NODE_GAP
        }
    };
    // Start: stacked.
    for run in &runs {
        let mut top = 0.0;
        for (k, &i) in run.iter().enumerate() {
            if k > 0 {
                top += gap(run[k - 1], i);
            }
            y[i] = top;
            top += items[i].height;
        }
    }
    for sweep in 0..Y_SWEEPS {
        let ranks: Vec<usize> = if sweep % 2 == 0 {
            (0..columns.len()).collect()
        } else {
            (0..columns.len()).rev().collect()
        };
        for r in ranks {
            for &run_index in &run_of_rank[r] {
                let run = &runs[run_index];
                let mut targets = Vec::with_capacity(run.len());
                let mut offset = 0.0;
                let mut offsets = Vec::with_capacity(run.len());
                for (k, &i) in run.iter().enumerate() {
                    if k > 0 {
                        offset += items[run[k - 1]].height + gap(run[k - 1], i);
                    }
                    offsets.push(offset);
                    let (mut sum, mut count) = (0.0, 0usize);
                    for &s in &left_segs[i] {
                        let seg = segments[s];
                        if items[seg.left].band == items[i].band {
                            sum += y[seg.left] + seg.left_port - seg.right_port;
                            count += 1;
                        }
                    }
                    for &s in &right_segs[i] {
                        let seg = segments[s];
                        if items[seg.right].band == items[i].band {
                            sum += y[seg.right] + seg.right_port - seg.left_port;
                            count += 1;
                        }
                    }
                    let desired = if count == 0 { y[i] } else { sum / count as f64 };
                    targets.push(desired - offset);
                }
                let fitted = isotonic(&targets);
                for (k, &i) in run.iter().enumerate() {
                    // Whole pixels: the fit is non-decreasing, and so is its rounding.
                    y[i] = fitted[k].round() + offsets[k];
                }
            }
        }
    }
    y
}

/// The non-decreasing sequence closest to `targets` in least squares (pool
/// adjacent violators).
fn isotonic(targets: &[f64]) -> Vec<f64> {
    // Blocks of (sum, count).
    let mut blocks: Vec<(f64, usize)> = Vec::with_capacity(targets.len());
    for &t in targets {
        blocks.push((t, 1));
        while blocks.len() >= 2 {
            let (s2, c2) = blocks[blocks.len() - 1];
            let (s1, c1) = blocks[blocks.len() - 2];
            if s1 / c1 as f64 > s2 / c2 as f64 {
                blocks.pop();
                *blocks.last_mut().expect("two blocks") = (s1 + s2, c1 + c2);
            } else {
                break;
            }
        }
    }
    let mut out = Vec::with_capacity(targets.len());
    for (s, c) in blocks {
        let mean = s / c as f64;
        out.extend(std::iter::repeat_n(mean, c));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isotonic_pools_violators() {
        assert_eq!(isotonic(&[1.0, 3.0, 2.0, 4.0]), vec![1.0, 2.5, 2.5, 4.0]);
        assert_eq!(isotonic(&[3.0, 2.0, 1.0]), vec![2.0, 2.0, 2.0]);
    }

    #[test]
    fn inversions_count() {
        assert_eq!(inversions(&mut [0, 1, 2]), 0);
        assert_eq!(inversions(&mut [2, 1, 0]), 3);
        assert_eq!(inversions(&mut [1, 0, 2, 0]), 3);
    }

    #[test]
    fn cycles_and_loops_get_ranks() {
        let node = || Node {
            width: 10.0,
            height: 10.0,
            band: 0,
        };
        let row = Span {
            top: 0.0,
            bottom: 10.0,
        };
        let edge = |from, to| Edge {
            from,
            from_row: row,
            to,
            to_row: row,
        };
        let graph = Graph {
            nodes: vec![node(), node(), node()],
            edges: vec![edge(1, 0), edge(2, 1), edge(0, 2), edge(1, 1)],
            bands: vec![Band::default()],
        };
        let l = layout(&graph);
        assert_eq!(l.paths.len(), 4);
        let xs: Vec<f64> = l.boxes.iter().map(|b| b.x).collect();
        assert!(xs[0] < xs[1] && xs[1] < xs[2], "{xs:?}");
    }
}
