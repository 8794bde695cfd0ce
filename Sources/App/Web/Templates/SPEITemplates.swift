/// SPEI through the participant: orders sent, deposits received, and the ones held in suspense.
enum SPEITemplates {
    static let page = """
        {{<layout}}{{$body}}
        {{^configured}}<p class="error">SPEI por STP no está configurado: defina CARTERA_STP_EMPRESA, CARTERA_STP_ACCOUNT y
        CARTERA_STP_PRIVATE_KEY_FILE para dispersar y recibir abonos.</p>{{/configured}}
        <h2>Órdenes de dispersión</h2>
        <table id="ordenes-spei">
          <thead><tr><th>Fecha</th><th>Crédito</th><th>Clave de rastreo</th><th>Beneficiario</th><th>CLABE</th><th>Monto</th><th>Estado</th><th></th></tr></thead>
          <tbody>{{#orders}}<tr><td>{{createdAt}}</td><td><a href="/creditos/{{loanId}}">{{loanId}}</a></td><td>{{trackingKey}}</td><td>{{beneficiaryName}}</td>
            <td>{{beneficiaryClabe}}</td><td>${{amount}}</td><td>{{statusLabel}}{{#error}}<br><small>{{error}}</small>{{/error}}</td><td>
            {{#canResend}}<form method="post" action="/spei/ordenes/{{id}}/reenviar"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Reintentar envío</button></form>{{/canResend}}</td></tr>{{/orders}}
          {{^orders}}<tr><td colspan="8">Aún no hay órdenes SPEI.</td></tr>{{/orders}}</tbody>
        </table>
        <h2>Abonos recibidos</h2>
        <table id="abonos-spei">
          <thead><tr><th>Recibido</th><th>Clave de rastreo</th><th>Ordenante</th><th>Concepto</th><th>CLABE destino</th><th>Monto</th><th>Estado</th><th></th></tr></thead>
          <tbody>{{#deposits}}<tr><td>{{receivedAt}}</td><td>{{trackingKey}}</td><td>{{payerName}}</td><td>{{concept}}</td><td>{{destinationClabe}}</td><td>${{amount}}</td>
            <td>{{statusLabel}}{{#loanId}} <a href="/creditos/{{loanId}}">{{loanId}}</a>{{/loanId}}{{#note}}<br><small>{{note}}</small>{{/note}}</td><td>
            {{#inSuspense}}<form method="post" action="/spei/abonos/{{id}}/aplicar"><input type="hidden" name="csrf" value="{{csrf}}">
            <label>Crédito <input name="credito" placeholder="ln_…" maxlength="40" required></label><button type="submit">Aplicar</button></form>{{/inSuspense}}</td></tr>{{/deposits}}
          {{^deposits}}<tr><td colspan="8">Aún no hay abonos.</td></tr>{{/deposits}}</tbody>
        </table>
        {{/body}}{{/layout}}
        """
}
