/// The signed-in user's own pages: dashboard, account, second-factor enrolment, the borrower's portal.
enum AccountTemplates {
    static let dashboard = """
        {{<layout}}{{$body}}
        <p>Otorgante: <strong>{{lender}}</strong></p>
        <section class="tiles">
          {{#tiles}}<a class="tile" href="{{href}}"><strong>{{label}}</strong><span>{{detail}}</span></a>{{/tiles}}
        </section>
        {{#mfaAdvice}}<p class="notice">Su cuenta no tiene segundo factor. <a href="/cuenta/segundo-factor">Configúrelo ahora</a>.</p>{{/mfaAdvice}}
        {{/body}}{{/layout}}
        """

    static let account = """
        {{<layout}}{{$body}}
        <dl class="facts">
          <dt>Usuario</dt><dd>{{username}}</dd>
          <dt>Rol</dt><dd>{{roleName}}</dd>
          <dt>Segundo factor</dt><dd id="mfa-estado">{{#hasSecondFactor}}Activo · quedan {{recoveryCodes}} códigos de recuperación{{/hasSecondFactor}}{{^hasSecondFactor}}No configurado{{#mfaRequired}} (obligatorio para su rol){{/mfaRequired}}{{/hasSecondFactor}}</dd>
        </dl>
        <p><a href="/cuenta/segundo-factor">{{#hasSecondFactor}}Cambiar de dispositivo y generar códigos nuevos{{/hasSecondFactor}}{{^hasSecondFactor}}Configurar segundo factor{{/hasSecondFactor}}</a></p>
        <p><a href="/cuenta/contrasena" id="cambiar-contrasena">Cambiar contraseña</a></p>
        {{/body}}{{/layout}}
        """

    static let enrol = """
        {{<layout}}{{$body}}
        {{#required}}<p class="notice">Su rol exige un segundo factor. Configúrelo para continuar.</p>{{/required}}
        <ol class="steps">
          <li>Abra una aplicación de autenticación (Google Authenticator, Microsoft Authenticator, FreeOTP, 1Password…).</li>
          <li>Escanee el código QR o agregue la cuenta a mano con esta clave: <code id="secreto">{{secret}}</code></li>
          <li>Escriba abajo el código de 6 dígitos que muestra la aplicación.</li>
        </ol>
        <figure class="qr">{{{qrSVG}}}<figcaption><a href="{{uri}}" id="otpauth">Abrir en la aplicación de este dispositivo</a></figcaption></figure>
        <form method="post" action="/cuenta/segundo-factor" class="card" autocomplete="off">
          <input type="hidden" name="csrf" value="{{csrf}}">
          {{#needsPassword}}<label for="password">Contraseña actual</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="200">{{/needsPassword}}
          <label for="code">Código de 6 dígitos</label>
          <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength="8">
          <button type="submit" id="confirmar">Confirmar</button>
        </form>
        {{/body}}{{/layout}}
        """

    static let password = """
        {{<layout}}{{$body}}
        {{#required}}<p class="notice">Su contraseña la eligió un administrador. Elija una nueva para continuar: solo usted debe conocerla.</p>{{/required}}
        <form method="post" action="/cuenta/contrasena" class="card" autocomplete="off">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label for="password">Contraseña actual</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="200">
          <label for="new_password">Contraseña nueva (mínimo 12 caracteres; una frase es fácil de recordar)</label>
          <input id="new_password" name="new_password" type="password" autocomplete="new-password" required maxlength="200">
          <label for="confirmation">Repita la contraseña nueva</label>
          <input id="confirmation" name="confirmation" type="password" autocomplete="new-password" required maxlength="200">
          <button type="submit" id="guardar-contrasena">Cambiar contraseña</button>
        </form>
        {{/body}}{{/layout}}
        """

    static let recoveryCodes = """
        {{<layout}}{{$body}}
        <p>Guarde estos códigos de recuperación en un lugar seguro. Cada uno sirve una sola vez para entrar si pierde su teléfono. No se volverán a mostrar.</p>
        <ul class="codes" id="codigos">{{#codes}}<li><code>{{.}}</code></li>{{/codes}}</ul>
        <p><a href="/" id="continuar">Ya los guardé, continuar</a></p>
        {{/body}}{{/layout}}
        """
}
