/// Bank statements in the back office: the imports with their summaries, and the form to import a file.
enum StatementTemplates {
    static let list = """
        {{<layout}}{{$body}}
        {{#summary}}
        <div class="card" id="resumen">
          <p><strong>{{fileName}}</strong> ({{format}}): {{statements}} estados, {{entries}} movimientos leídos; <strong>{{added}} nuevos</strong>,
          {{duplicates}} ya importados antes. Abonos ${{credits}}; cargos ${{debits}}.</p>
          {{#warnings}}<p class="attention">⚠ {{.}}</p>{{/warnings}}
        </div>
        {{/summary}}
        <form method="post" action="/estados-bancarios" enctype="multipart/form-data" class="card" id="importar-estado">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <h2>Importar un estado de cuenta</h2>
          <p>camt.053, camt.052 o camt.054 (XML ISO 20022), MT940, OFX, o el CSV que exporta el banco. Cada movimiento se guarda una
          sola vez: volver a importar el mismo archivo, o uno que se traslapa, no duplica nada. Si el archivo tiene un error no se
          guarda nada y se indica la línea.</p>
          <label>Archivo <input type="file" name="archivo" required></label>
          <label>Formato <select name="formato"><option value="">Reconocer por el contenido</option>{{#formats}}<option value="{{value}}">{{label}}</option>{{/formats}}</select></label>
          <label>Perfil del CSV <select name="perfil"><option value="">— (no es CSV)</option>{{#profiles}}<option value="{{value}}">{{label}}</option>{{/profiles}}</select></label>
          <label>Cuenta (CLABE o número), si el archivo no la dice <input name="cuenta" maxlength="64" inputmode="numeric"></label>
          <button type="submit">Importar</button>
        </form>
        <h2>Importaciones recientes</h2>
        <table id="importaciones">
          <thead><tr><th>Fecha</th><th>Archivo</th><th>Formato</th><th>Estados</th><th>Leídos</th><th>Nuevos</th><th>Duplicados</th><th>Abonos</th><th>Cargos</th><th>Avisos</th><th>Por</th></tr></thead>
          <tbody>{{#imports}}<tr><td>{{importedAt}}</td><td>{{fileName}}</td><td>{{format}}</td><td>{{statements}}</td><td>{{entries}}</td><td>{{added}}</td><td>{{duplicates}}</td><td>${{credits}}</td><td>${{debits}}</td><td>{{warnings}}</td><td>{{importedBy}}</td></tr>{{/imports}}
          {{^imports}}<tr><td colspan="11">Aún no se ha importado ningún estado de cuenta.</td></tr>{{/imports}}</tbody>
        </table>
        {{/body}}{{/layout}}
        """

    /// The deposits waiting for a person: suggested loans first, then the ones nobody was recognised in.
    static let queue = """
        {{<layout}}{{$body}}
        <form method="post" action="/conciliacion/ejecutar" class="card" id="conciliar">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <p>Los depósitos importados se aplican solos cuando llegan a la CLABE de un crédito, mencionan el crédito o vienen de una
          cuenta que el cliente ya usó por lo exigible. Los demás esperan aquí.</p>
          <button type="submit">Conciliar ahora</button>
        </form>
        {{#summary}}<p class="notice" id="resumen-conciliacion">{{lines}} depósitos revisados: {{posted}} aplicados (${{postedAmount}}), {{review}} por revisar, {{unidentified}} sin identificar.</p>{{/summary}}
        <table id="por-revisar">
          <thead><tr><th>Fecha</th><th>Monto</th><th>Ordenante</th><th>Concepto</th><th>Estado</th><th>Aplicar a</th></tr></thead>
          <tbody>{{#lines}}<tr><td>{{date}}</td><td>${{amount}}</td><td>{{payer}}</td><td>{{text}}</td><td>{{status}}</td><td>
            <form method="post" action="/conciliacion/{{id}}/aplicar"><input type="hidden" name="csrf" value="{{csrf}}">
            {{#candidates}}<label><input type="radio" name="credito" value="{{loanId}}"{{#first}} checked{{/first}}> {{loanId}} ({{score}}) <small>{{reason}}</small></label>{{/candidates}}
            <label>Otro crédito <input name="otro" placeholder="ln_…" maxlength="40"></label>
            <button type="submit">Aplicar</button></form></td></tr>{{/lines}}
          {{^lines}}<tr><td colspan="6">No hay depósitos pendientes.</td></tr>{{/lines}}</tbody>
        </table>
        {{/body}}{{/layout}}
        """
}
