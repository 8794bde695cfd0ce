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
          <tbody>{{#lines}}<tr><td>{{date}}</td><td>${{amount}}</td><td>{{payer}}</td><td>{{text}}</td><td>{{status}}{{#note}}<br><small>{{note}}</small>{{/note}}</td><td>
            <form method="post" action="/conciliacion/{{id}}/aplicar"><input type="hidden" name="csrf" value="{{csrf}}">
            {{#candidates}}<label><input type="radio" name="credito" value="{{loanId}}"{{#first}} checked{{/first}}> {{loanId}} ({{score}}) <small>{{reason}}</small></label>{{/candidates}}
            <label>Otro crédito <input name="otro" placeholder="ln_…" maxlength="40"></label>
            <label>o repartir <input name="reparto" placeholder="ln_a:500.00, ln_b" maxlength="400"></label>
            <button type="submit">Aplicar</button></form>
            {{#canSuspend}}<form method="post" action="/conciliacion/{{id}}/suspenso"><input type="hidden" name="csrf" value="{{csrf}}">
            <label>Motivo <input name="motivo" maxlength="300" required></label><button type="submit">Enviar a suspenso</button></form>{{/canSuspend}}</td></tr>{{/lines}}
          {{^lines}}<tr><td colspan="6">No hay depósitos pendientes.</td></tr>{{/lines}}</tbody>
        </table>
        <h2>Aplicados recientemente</h2>
        <table id="aplicados">
          <thead><tr><th>Fecha</th><th>Monto</th><th>Crédito</th><th>Regla</th><th>Referencia</th><th></th></tr></thead>
          <tbody>{{#posted}}<tr><td>{{date}}</td><td>${{amount}}</td><td><a href="/creditos/{{loanId}}">{{loanId}}</a></td><td>{{rule}}</td><td>{{reference}}</td><td>
            {{#canUndo}}<form method="post" action="/conciliacion/{{id}}/deshacer"><input type="hidden" name="csrf" value="{{csrf}}">
            <label>Motivo <input name="motivo" maxlength="300" required></label><button type="submit">Deshacer</button></form>{{/canUndo}}</td></tr>{{/posted}}
          {{^posted}}<tr><td colspan="6">Aún no hay depósitos aplicados.</td></tr>{{/posted}}</tbody>
        </table>
        {{#balances}}<h2>Saldos bancarios contra el diario ({{date}})</h2>
        <table id="saldos"><tbody>{{#accounts}}<tr><td>Cuenta {{account}}</td><td>${{balance}} (estado del {{date}})</td></tr>{{/accounts}}
          <tr><td>Bancos según los estados</td><td>${{statements}}</td></tr><tr><td>Bancos en el diario (1102)</td><td>${{ledger}}</td></tr>
          <tr><td>Diferencia</td><td>${{difference}}</td></tr><tr><td>Depósitos por conciliar</td><td>${{credits}}</td></tr>
          <tr><td>Sin explicar</td><td>${{unexplained}}{{^balanced}} — revise cargos del banco no registrados y estados faltantes{{/balanced}}</td></tr></tbody></table>{{/balances}}
        <h2>Revisión diaria de saldos</h2>
        <table id="revisiones"><thead><tr><th>Día</th><th>Resultado</th><th>Estados</th><th>Diario</th><th>Sin explicar</th><th>Revisado</th></tr></thead><tbody>
          {{#checks}}<tr><td>{{date}}</td><td>{{#balanced}}Cuadra{{/balanced}}{{^balanced}}{{#complete}}Diferencia{{/complete}}{{^complete}}Faltan estados{{/complete}}{{/balanced}}</td>
          <td>${{statements}}</td><td>${{ledger}}</td><td>${{unexplained}}</td><td>{{checkedAt}} · {{checkedBy}}</td></tr>{{/checks}}
          {{^checks}}<tr><td colspan="6">La revisión se hace cada mañana con los estados del día anterior; aún no hay ninguna.</td></tr>{{/checks}}</tbody>
        </table>
        {{/body}}{{/layout}}
        """
}
