/// The back office's one style sheet, served at `/static/cartera.css`.
enum StyleSheet {
    static let css = """
        :root { --ink: #1d2430; --muted: #5b6574; --line: #d8dde5; --accent: #0b5cad; --bad: #a1261b; --ok: #1f6f3f; --bg: #f6f7f9; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
        header.top { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.5rem; background: #fff; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
        .brand { font-weight: 700; font-size: 1.15rem; color: var(--accent); text-decoration: none; }
        nav a { margin-right: 1rem; color: var(--ink); text-decoration: none; }
        nav a[aria-current=page] { color: var(--accent); border-bottom: 2px solid var(--accent); }
        .who { margin-left: auto; display: flex; gap: .6rem; align-items: center; }
        .role { color: var(--muted); font-size: .85rem; }
        main { max-width: 1100px; margin: 1.5rem auto; padding: 0 1.5rem; }
        h1 { font-size: 1.4rem; margin: 0 0 1rem; }
        h2 { font-size: 1.1rem; margin-top: 2rem; }
        .card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1.2rem; max-width: 420px; display: grid; gap: .45rem; }
        label { font-weight: 600; font-size: .9rem; }
        input, select { font: inherit; padding: .45rem .5rem; border: 1px solid var(--line); border-radius: 4px; }
        button { font: inherit; padding: .45rem .9rem; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 4px; cursor: pointer; }
        form.inline { display: inline; }
        form.inline button { padding: .2rem .5rem; font-size: .85rem; background: #fff; color: var(--accent); }
        button.link { border: 0; background: none; color: var(--accent); padding: 0; text-decoration: underline; }
        .notice { background: #eaf2fb; border-left: 4px solid var(--accent); padding: .6rem .8rem; }
        .error { background: #fbecea; border-left: 4px solid var(--bad); padding: .6rem .8rem; color: var(--bad); }
        table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); font-size: .9rem; }
        th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: #eef1f5; font-weight: 600; }
        tr.denied td, tr.failure td, tr.error td { color: var(--bad); }
        .filters { display: flex; gap: .8rem; flex-wrap: wrap; align-items: end; margin-bottom: 1rem; }
        .filters label { display: grid; gap: .2rem; }
        .tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 1rem; }
        .tile { display: grid; gap: .3rem; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1rem; color: var(--ink); text-decoration: none; }
        .tile span { color: var(--muted); font-size: .9rem; }
        .facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
        .facts dt { font-weight: 600; }
        .facts dd { margin: 0; }
        .codes { columns: 2; font-size: 1.05rem; }
        .secret { background: #fff8e1; border: 1px solid #e6c65c; padding: .8rem 1rem; margin-bottom: 1rem; }
        .qr svg { width: 220px; height: 220px; background: #fff; }
        .check { font-weight: 400; display: block; }
        .hint { color: var(--muted); font-size: .85rem; }
        footer { color: var(--muted); font-size: .8rem; text-align: center; margin: 3rem 0 1rem; }
        .actions { display: flex; flex-wrap: wrap; gap: 1rem; margin: 1rem 0; align-items: start; }
        .card.wide { max-width: 640px; }
        textarea { font: inherit; padding: .45rem .5rem; border: 1px solid var(--line); border-radius: 4px; min-height: 4rem; }
        tr.late td { color: var(--bad); }
        tr.entry td { background: #f6f8fa; font-size: .85rem; }
        body.statement { max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; }
        body.statement .summary { width: auto; min-width: 24rem; margin: 1rem 0; }
        body.statement .summary td { text-align: right; }
        .cat { border: 1px solid var(--ink); padding: .6rem .8rem; display: inline-block; }
        @media print {
          .no-print, header.top, nav, form { display: none; }
          body, body.statement { background: #fff; margin: 0; max-width: none; font-size: 10pt; }
          table { border-color: #999; }
          th { background: #eee; }
        }
        """
}
