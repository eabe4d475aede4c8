//! Threads: turns a post's flat list of approved comments into the nested list
//! readers see, with WordPress's depth rule.

use std::collections::{HashMap, HashSet};

use super::comment::Comment;

#[derive(Debug, Clone, serde::Serialize)]
pub struct ThreadNode {
    pub comment: Comment,
    /// 1 for top level.
    pub depth: usize,
    /// Whether a Reply link is offered (not at the deepest allowed level).
    pub can_reply: bool,
    pub children: Vec<ThreadNode>,
}

/// Builds the thread. `comments` must be in the order written. Replies that would sit
/// deeper than `max_depth` are shown at the deepest level, right after the comment they
/// descend from; replies whose parent is not shown (held, trashed) go to the top level,
/// so no approved comment disappears.
pub fn build(comments: Vec<Comment>, max_depth: usize) -> Vec<ThreadNode> {
    let max_depth = max_depth.max(1);
    let shown: HashSet<i64> = comments.iter().map(|c| c.id).collect();
    let mut children: HashMap<i64, Vec<Comment>> = HashMap::new();
    let mut roots = Vec::new();
    for c in comments {
        match c.parent_id {
            Some(p) if shown.contains(&p) && p != c.id => children.entry(p).or_default().push(c),
            _ => roots.push(c),
        }
    }
    place(roots, 1, max_depth, &mut children)
}

fn leaf(comment: Comment, depth: usize) -> ThreadNode {
    ThreadNode {
        comment,
        depth,
        can_reply: false,
        children: Vec::new(),
    }
}

fn place(
    list: Vec<Comment>,
    depth: usize,
    max_depth: usize,
    children: &mut HashMap<i64, Vec<Comment>>,
) -> Vec<ThreadNode> {
    let mut out = Vec::with_capacity(list.len());
    for comment in list {
        let kids = children.remove(&comment.id).unwrap_or_default();
        if depth < max_depth {
            let nested = place(kids, depth + 1, max_depth, children);
            out.push(ThreadNode {
                comment,
                depth,
                can_reply: true,
                children: nested,
            });
        } else {
            out.push(leaf(comment, depth));
            let mut flat = Vec::new();
            collect_descendants(kids, children, &mut flat);
            flat.sort_by_key(|c| c.id);
            out.extend(flat.into_iter().map(|c| leaf(c, depth)));
        }
    }
    out
}

fn collect_descendants(
    kids: Vec<Comment>,
    children: &mut HashMap<i64, Vec<Comment>>,
    out: &mut Vec<Comment>,
) {
    for k in kids {
        let grand = children.remove(&k.id).unwrap_or_default();
        out.push(k);
        collect_descendants(grand, children, out);
    }
}

/// Counts every comment in a thread.
pub fn count(nodes: &[ThreadNode]) -> usize {
    nodes.iter().map(|n| 1 + count(&n.children)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: i64, parent: Option<i64>) -> Comment {
        Comment {
            id,
            post_id: 1,
            parent_id: parent,
            status: crate::domain::comment::CommentStatus::Approved,
            author_name: format!("a{id}"),
            author_email: String::new(),
            author_url: None,
            identity_id: None,
            body_html: String::new(),
            created_at: id,
            updated_at: id,
            kind: crate::domain::comment::CommentKind::Comment,
        }
    }

    fn shape(nodes: &[ThreadNode]) -> String {
        nodes
            .iter()
            .map(|n| {
                if n.children.is_empty() {
                    n.comment.id.to_string()
                } else {
                    format!("{}({})", n.comment.id, shape(&n.children))
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn replies_nest_under_their_parents_in_order_written() {
        let t = build(
            vec![
                c(1, None),
                c(2, None),
                c(3, Some(1)),
                c(4, Some(3)),
                c(5, Some(1)),
            ],
            5,
        );
        assert_eq!(shape(&t), "1(3(4) 5) 2");
        assert_eq!(count(&t), 5);
        assert_eq!(t[0].children[0].children[0].depth, 3);
    }

    #[test]
    fn replies_past_the_depth_limit_stay_at_the_deepest_level() {
        let t = build(
            vec![
                c(1, None),
                c(2, Some(1)),
                c(3, Some(2)),
                c(4, Some(3)),
                c(5, Some(2)),
            ],
            2,
        );
        assert_eq!(shape(&t), "1(2 3 4 5)");
        assert!(t[0].can_reply);
        assert!(t[0].children.iter().all(|n| !n.can_reply && n.depth == 2));
    }

    #[test]
    fn replies_to_hidden_comments_show_at_the_top_level() {
        let t = build(vec![c(1, None), c(3, Some(2))], 5);
        assert_eq!(shape(&t), "1 3");
    }

    #[test]
    fn depth_one_means_a_flat_list_without_reply_links() {
        let t = build(vec![c(1, None), c(2, Some(1)), c(3, None)], 1);
        assert_eq!(shape(&t), "1 2 3");
        assert!(t.iter().all(|n| !n.can_reply));
    }
}
