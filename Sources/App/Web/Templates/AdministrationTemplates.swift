/// Administration pages: users, API clients and the audit log viewer.
enum AdministrationTemplates {
    static let users = """
        {{<layout}}{{$body}}
        <table>
          <thead><tr><th>Usuario</th><th>Nombre</th><th>Rol</th><th>Segundo factor</th><th>Estado</th><th>Acciones</th></tr></thead>
          <tbody>
          {{#users}}
          <tr id="usuario-{{username}}">
            <td>{{username}}</td><td>{{displayName}}</td><td>{{roleName}}</td>
            <td>{{#hasSecondFactor}}Activo{{/hasSecondFactor}}{{^hasSecondFactor}}—{{/hasSecondFactor}}</td>
            <td>{{#active}}Activo{{/active}}{{^active}}Inactivo{{/active}}{{#locked}} · bloqueado{{/locked}}</td>
            <td class="actions">
              {{^isSelf}}
              {{#active}}<form method="post" action="/usuarios/{{id}}/desactivar" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Desactivar</button></form>{{/active}}
              {{^active}}<form method="post" action="/usuarios/{{id}}/activar" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Activar</button></form>{{/active}}
              {{#hasSecondFactor}}<form method="post" action="/usuarios/{{id}}/restablecer-segundo-factor" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Restablecer segundo factor</button></form>{{/hasSecondFactor}}
              {{/isSelf}}
              {{#locked}}<form method="post" action="/usuarios/{{id}}/desbloquear" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Desbloquear</button></form>{{/locked}}
            </td>
          </tr>
          {{/users}}
          </tbody>
        </table>
        <h2>Nuevo usuario</h2>
        <form method="post" action="/usuarios" class="card" autocomplete="off">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label for="username">Usuario</label><input id="username" name="username" required maxlength="64" value="{{form.username}}">
          <label for="display_name">Nombre completo</label><input id="display_name" name="display_name" maxlength="120" value="{{form.display_name}}">
          <label for="role">Rol</label>
          <select id="role" name="role">{{#roles}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/roles}}</select>
          <label for="client_id">Cliente (solo para acreditados: su identificador cl_…)</label><input id="client_id" name="client_id" maxlength="40" value="{{form.client_id}}">
          <label for="password">Contraseña inicial (mínimo 12 caracteres)</label><input id="password" name="password" type="password" autocomplete="new-password" required maxlength="200">
          <button type="submit" id="crear-usuario">Crear usuario</button>
        </form>
        {{/body}}{{/layout}}
        """

    static let apiClients = """
        {{<layout}}{{$body}}
        {{#created}}
        <section class="secret" id="credenciales">
          <p>Copie ahora el secreto: no se volverá a mostrar.</p>
          <dl class="facts"><dt>client_id</dt><dd><code id="client-id">{{client_id}}</code></dd><dt>client_secret</dt><dd><code id="client-secret">{{client_secret}}</code></dd></dl>
        </section>
        {{/created}}
        <table>
          <thead><tr><th>Nombre</th><th>client_id</th><th>Alcances</th><th>Creado</th><th>Estado</th><th></th></tr></thead>
          <tbody>
          {{#clients}}
          <tr><td>{{name}}</td><td><code>{{id}}</code></td><td>{{scopes}}</td><td>{{createdAt}}</td>
            <td>{{#active}}Activo{{/active}}{{^active}}Desactivado{{/active}}</td>
            <td>{{#active}}<form method="post" action="/clientes-api/{{id}}/desactivar" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Desactivar</button></form>{{/active}}</td></tr>
          {{/clients}}
          </tbody>
        </table>
        <h2>Nuevo cliente de API</h2>
        <form method="post" action="/clientes-api" class="card" autocomplete="off">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label for="name">Nombre</label><input id="name" name="name" required maxlength="120">
          <fieldset><legend>Alcances</legend>
          {{#scopes}}<label class="check"><input type="checkbox" name="scope_{{.}}" value="1"> <code>{{.}}</code></label>{{/scopes}}
          </fieldset>
          <button type="submit" id="crear-cliente">Crear cliente</button>
        </form>
        {{/body}}{{/layout}}
        """

    static let audit = """
        {{<layout}}{{$body}}
        {{#confidential}}<p id="pld-confidencial">Las entradas de cumplimiento PLD (coincidencias en listas, alertas, casos, reportes a la UIF, suspensiones y grados de riesgo) solo las ven el oficial de cumplimiento y el auditor.</p>{{/confidential}}
        <form method="get" action="/auditoria" class="filters">
          <label>Desde <input type="date" name="desde" value="{{filter.desde}}"></label>
          <label>Hasta <input type="date" name="hasta" value="{{filter.hasta}}"></label>
          <label>Actor <input name="actor" value="{{filter.actor}}" maxlength="128"></label>
          <label>Acción <input name="accion" value="{{filter.accion}}" maxlength="64" placeholder="auth.login"></label>
          <label>Resultado <select name="resultado">{{#outcomes}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/outcomes}}</select></label>
          <button type="submit">Filtrar</button>
        </form>
        <table class="audit" id="bitacora">
          <thead><tr><th>#</th><th>Fecha y hora (UTC)</th><th>Actor</th><th>IP</th><th>Acción</th><th>Objeto</th><th>Resultado</th><th>Solicitud</th></tr></thead>
          <tbody>
          {{#entries}}<tr class="{{outcome}}"><td>{{sequence}}</td><td>{{occurredAt}}</td><td>{{actorKind}} {{actorID}}</td><td>{{ipAddress}}</td><td><code>{{action}}</code></td><td>{{objectType}} {{objectID}}</td><td>{{outcomeLabel}}</td><td><code>{{requestID}}</code></td></tr>{{/entries}}
          {{^entries}}<tr><td colspan="8">No hay registros con estos filtros.</td></tr>{{/entries}}
          </tbody>
        </table>
        {{#older}}<p><a href="{{older}}" id="anteriores">Registros anteriores</a></p>{{/older}}
        <p class="hint">La integridad de la cadena se comprueba con <code>cartera audit verify</code>.</p>
        {{/body}}{{/layout}}
        """
}
