/// The page frame every back-office page extends, and the pages shown before sign-in.
///
/// Templates are Mustache (HTML-escaped by default). They are compiled into the binary, so the server needs no
/// template folder at run time. No page carries script: the Content-Security-Policy forbids it.
enum LayoutTemplates {
    static let layout = """
        <!doctype html>
        <html lang="es-MX">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Cartera</title>
        <link rel="stylesheet" href="/static/cartera.css">
        </head>
        <body>
        <header class="top">
          <a class="brand" href="/">Cartera</a>
          {{#user}}
          <nav aria-label="Principal">
            {{#nav}}<a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a>{{/nav}}
          </nav>
          <div class="who">
            <a href="/cuenta" id="cuenta">{{displayName}}</a> <span class="role">{{roleName}}</span>
            <form method="post" action="/logout" class="inline">
              <input type="hidden" name="csrf" value="{{csrf}}">
              <button type="submit" id="salir">Salir</button>
            </form>
          </div>
          {{/user}}
        </header>
        <main>
        <h1>{{title}}</h1>
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        {{#error}}<p class="error" role="alert" id="error">{{error}}</p>{{/error}}
        {{$body}}{{/body}}
        </main>
        <footer>Cartera {{version}}</footer>
        </body>
        </html>
        """

    static let login = """
        {{<layout}}{{$body}}
        <form method="post" action="/login" class="card" autocomplete="on">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label for="username">Usuario</label>
          <input id="username" name="username" autocomplete="username" required maxlength="64" value="{{username}}" autofocus>
          <label for="password">Contraseña</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="200">
          <button type="submit" id="entrar">Entrar</button>
        </form>
        {{/body}}{{/layout}}
        """

    static let secondFactor = """
        {{<layout}}{{$body}}
        <form method="post" action="/login/codigo" class="card" autocomplete="off">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <p>Escriba el código de 6 dígitos de su aplicación de autenticación, o uno de sus códigos de recuperación.</p>
          <label for="code">Código</label>
          <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength="24" autofocus>
          <button type="submit" id="verificar">Verificar</button>
        </form>
        <form method="post" action="/logout" class="inline">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <button type="submit" class="link">Cancelar e iniciar sesión con otro usuario</button>
        </form>
        {{/body}}{{/layout}}
        """

    static let message = """
        {{<layout}}{{$body}}
        <p id="mensaje">{{message}}</p>
        {{#next}}<p><a href="{{href}}">{{label}}</a></p>{{/next}}
        {{/body}}{{/layout}}
        """
}
